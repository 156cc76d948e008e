"""The demo's content, from the three seed articles: events, points, agenda, booths, people.

Pure data and pure functions of a date; `server.demo` turns it into rows. Times are wall times
in the event's zone; dates are offsets from the day the demo is seeded, so it always shows a
current day. Organisations and people are illustrative; figures come from the seed articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from server.events.models import Role
from server.identity.models import OrganisationKind

# Published with the demo on purpose: it signs in only to accounts at the demo domain.
DEMO_PASSWORD = "ketnoi-demo"  # noqa: S105
DEMO_DOMAIN = "ketnoi.demo"
ORGANISER_EMAIL = f"organiser@{DEMO_DOMAIN}"
VN_ZONE = "Asia/Ho_Chi_Minh"
MAIN_HALL = "Hội trường chính"
MAIN_STAGE = "Sân khấu chính"
BOOTH_AREA = "Khu gian hàng"
# The stages' English names, for English pages.
STAGES_EN = {MAIN_HALL: "Main hall", MAIN_STAGE: "Main stage", BOOTH_AREA: "Booth area"}

CONFERENCE_SLUG = "hai-duong-ca-rot-2026"
PRODUCT_WEEK_SLUG = "tuan-hang-cao-bang-2026"


@dataclass(frozen=True, slots=True)
class OrgSeed:
    """An organisation; `key` is the handle the other tables use."""

    key: str
    name: str
    kind: OrganisationKind
    country: str = "VN"
    province: str | None = None


@dataclass(frozen=True, slots=True)
class PointSeed:
    """An attendance point (điểm cầu)."""

    name: str
    country: str
    city: str
    timezone: str
    contact_name: str
    expected_seats: int
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class TalkSeed:
    """An agenda item: `day` counts from the event's first day, times are wall times."""

    day: int
    start: time
    end: time
    title_vi: str
    title_en: str
    speaker: str
    stage: str = MAIN_HALL
    kind: str = "other"
    # The market a briefing is about; the speaker's organisation.
    country: str = ""
    organisation: str = ""


@dataclass(frozen=True, slots=True)
class EventSeed:
    """An event that runs `days` days from the seeding day, `opens` on the first to `closes` on the last."""

    slug: str
    title_vi: str
    title_en: str
    kind: Literal["conference", "product_week"]
    venue: str
    summary_vi: str
    summary_en: str
    days: int
    opens: time
    closes: time
    talks: tuple[TalkSeed, ...]
    points: tuple[PointSeed, ...]
    timezone: str = VN_ZONE
    venue_en: str = ""


@dataclass(frozen=True, slots=True)
class ProductSeed:
    """A catalogue entry; `certifications` is comma-separated."""

    name_vi: str
    name_en: str
    category: str
    certifications: str
    ocop_stars: int | None
    description_vi: str
    description_en: str


@dataclass(frozen=True, slots=True)
class BoothSeed:
    """A producer's stand at one event."""

    event: str
    organisation: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    products: tuple[ProductSeed, ...]


@dataclass(frozen=True, slots=True)
class AccountSeed:
    """A demo person with one role in each of `events` (slugs)."""

    email: str
    display_name: str
    role: Role
    events: tuple[str, ...]
    organisation: str | None
    locale: str = "vi"
    timezone: str = VN_ZONE


def wall_time(day: date, at: time, zone: str) -> datetime:
    """A wall time in `zone` on `day`, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def event_window(seed: EventSeed, today: date) -> tuple[datetime, datetime]:
    """When the event starts and ends, in UTC."""
    last_day = today + timedelta(days=seed.days - 1)
    return wall_time(today, seed.opens, seed.timezone), wall_time(
        last_day, seed.closes, seed.timezone
    )


def talk_window(talk: TalkSeed, event: EventSeed, today: date) -> tuple[datetime, datetime]:
    """When a talk starts and ends, in UTC."""
    day = today + timedelta(days=talk.day)
    return wall_time(day, talk.start, event.timezone), wall_time(day, talk.end, event.timezone)


def _t(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


# Vietnam's trade offices abroad: (city, ISO country, IANA zone, office, counsellor, seats).
# The counsellors' names are invented.
TRADE_OFFICES: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("Tokyo", "JP", "Asia/Tokyo", "Thương vụ Việt Nam tại Nhật Bản", "Đỗ Quang Huy", 20),
    ("Osaka", "JP", "Asia/Tokyo", "Thương vụ Việt Nam tại Osaka (Nhật Bản)", "Lê Thị Thu Hà", 12),
    ("Seoul", "KR", "Asia/Seoul", "Thương vụ Việt Nam tại Hàn Quốc", "Trần Văn Khánh", 18),
    ("Bắc Kinh", "CN", "Asia/Shanghai", "Thương vụ Việt Nam tại Trung Quốc", "Phạm Đức Thắng", 15),
    (
        "Thượng Hải",
        "CN",
        "Asia/Shanghai",
        "Thương vụ Việt Nam tại Thượng Hải (Trung Quốc)",
        "Hoàng Thị Lan Anh",
        12,
    ),
    (
        "Hồng Kông",
        "HK",
        "Asia/Hong_Kong",
        "Thương vụ Việt Nam tại Hồng Kông (Trung Quốc)",
        "Vũ Minh Tuấn",
        10,
    ),
    (
        "Đài Bắc",
        "TW",
        "Asia/Taipei",
        "Bộ phận Thương mại, Văn phòng Kinh tế và Văn hóa Việt Nam tại Đài Bắc",
        "Ngô Thanh Bình",
        10,
    ),
    (
        "Singapore",
        "SG",
        "Asia/Singapore",
        "Thương vụ Việt Nam tại Singapore",
        "Bùi Thị Hồng Nhung",
        12,
    ),
    (
        "Kuala Lumpur",
        "MY",
        "Asia/Kuala_Lumpur",
        "Thương vụ Việt Nam tại Malaysia",
        "Đặng Văn Long",
        12,
    ),
    (
        "Bangkok",
        "TH",
        "Asia/Bangkok",
        "Thương vụ Việt Nam tại Thái Lan",
        "Nguyễn Thị Mai Phương",
        12,
    ),
    ("Jakarta", "ID", "Asia/Jakarta", "Thương vụ Việt Nam tại Indonesia", "Phan Quốc Việt", 8),
    ("Manila", "PH", "Asia/Manila", "Thương vụ Việt Nam tại Philippines", "Trịnh Thị Hương", 8),
    ("Viêng Chăn", "LA", "Asia/Vientiane", "Thương vụ Việt Nam tại Lào", "Lương Văn Sơn", 8),
    ("Phnôm Pênh", "KH", "Asia/Phnom_Penh", "Thương vụ Việt Nam tại Campuchia", "Cao Minh Đức", 8),
    ("Yangon", "MM", "Asia/Yangon", "Thương vụ Việt Nam tại Myanmar", "Đinh Thị Ngọc Ánh", 6),
    ("New Delhi", "IN", "Asia/Kolkata", "Thương vụ Việt Nam tại Ấn Độ", "Hồ Sỹ Nam", 8),
    (
        "Canberra",
        "AU",
        "Australia/Sydney",
        "Thương vụ Việt Nam tại Australia",
        "Tạ Thị Thanh Tâm",
        10,
    ),
    (
        "Dubai",
        "AE",
        "Asia/Dubai",
        "Thương vụ Việt Nam tại Các Tiểu vương quốc Ả Rập Thống nhất (UAE)",
        "Nguyễn Xuân Trường",
        15,
    ),
    ("Riyadh", "SA", "Asia/Riyadh", "Thương vụ Việt Nam tại Ả Rập Xê-út", "Lê Hoàng Phúc", 10),
    ("Doha", "QA", "Asia/Qatar", "Thương vụ Việt Nam tại Qatar", "Mai Thị Hải Yến", 6),
    ("Tel Aviv", "IL", "Asia/Jerusalem", "Thương vụ Việt Nam tại Israel", "Dương Văn Hiếu", 6),
    ("Cairo", "EG", "Africa/Cairo", "Thương vụ Việt Nam tại Ai Cập", "Kiều Minh Châu", 6),
    ("Pretoria", "ZA", "Africa/Johannesburg", "Thương vụ Việt Nam tại Nam Phi", "Tống Văn Lực", 6),
    ("Berlin", "DE", "Europe/Berlin", "Thương vụ Việt Nam tại Đức", "Nguyễn Thị Bích Ngọc", 12),
    ("Paris", "FR", "Europe/Paris", "Thương vụ Việt Nam tại Pháp", "Trần Quang Vinh", 10),
    (
        "Luân Đôn",
        "GB",
        "Europe/London",
        "Thương vụ Việt Nam tại Vương quốc Anh",
        "Phạm Thị Diệu Linh",
        10,
    ),
    ("La Hay", "NL", "Europe/Amsterdam", "Thương vụ Việt Nam tại Hà Lan", "Võ Thành Công", 10),
    (
        "Brussels",
        "BE",
        "Europe/Brussels",
        "Thương vụ Việt Nam tại Bỉ và Liên minh châu Âu",
        "Lâm Thị Hoài Thu",
        12,
    ),
    ("Rome", "IT", "Europe/Rome", "Thương vụ Việt Nam tại Italia", "Chu Văn Dũng", 8),
    ("Madrid", "ES", "Europe/Madrid", "Thương vụ Việt Nam tại Tây Ban Nha", "Doãn Thị Quỳnh", 8),
    ("Stockholm", "SE", "Europe/Stockholm", "Thương vụ Việt Nam tại Thụy Điển", "Lã Đức Anh", 6),
    ("Moskva", "RU", "Europe/Moscow", "Thương vụ Việt Nam tại Liên bang Nga", "Hà Văn Thịnh", 10),
    (
        "Washington, D.C.",
        "US",
        "America/New_York",
        "Thương vụ Việt Nam tại Hoa Kỳ",
        "Nguyễn Đăng Khoa",
        12,
    ),
    ("Ottawa", "CA", "America/Toronto", "Thương vụ Việt Nam tại Canada", "Vương Thị Thùy Dung", 8),
    (
        "San Francisco",
        "US",
        "America/Los_Angeles",
        "Chi nhánh Thương vụ Việt Nam tại San Francisco (Hoa Kỳ)",
        "Triệu Quốc Bảo",
        6,
    ),
    ("Brasília", "BR", "America/Sao_Paulo", "Thương vụ Việt Nam tại Brazil", "Khổng Minh Hiền", 6),
)

# Hải Dương's cities, town and districts: (kind, name); the economy office differs by kind.
HAI_DUONG_UNITS: tuple[tuple[str, str], ...] = (
    ("thành phố", "Hải Dương"),
    ("thành phố", "Chí Linh"),
    ("thị xã", "Kinh Môn"),
    ("huyện", "Bình Giang"),
    ("huyện", "Cẩm Giàng"),
    ("huyện", "Gia Lộc"),
    ("huyện", "Kim Thành"),
    ("huyện", "Nam Sách"),
    ("huyện", "Ninh Giang"),
    ("huyện", "Thanh Hà"),
    ("huyện", "Thanh Miện"),
    ("huyện", "Tứ Kỳ"),
)

# Communes of the vegetable, carrot and lychee areas, by district.
HAI_DUONG_COMMUNES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Cẩm Giàng", ("Đức Chính", "Cẩm Văn", "Cẩm Vũ", "Cẩm Hoàng", "Lương Điền", "Tân Trường")),
    ("Thanh Hà", ("Thanh Sơn", "Thanh Khê", "Thanh Xá", "Hồng Lạc")),
    ("Gia Lộc", ("Hoàng Diệu", "Quang Đức", "Thống Nhất", "Nhật Tân")),
    ("Kim Thành", ("Ngũ Phúc", "Kim Tân", "Cổ Dũng", "Tuấn Việt")),
    ("Nam Sách", ("Nam Hưng", "Hiệp Cát", "An Lâm")),
    ("Tứ Kỳ", ("Dân Chủ", "Quang Khải", "Đại Hợp")),
    ("Bình Giang", ("Thái Học", "Vĩnh Hồng", "Nhân Quyền")),
    ("Thanh Miện", ("Ngô Quyền", "Đoàn Tùng")),
    ("Ninh Giang", ("Kiến Quốc",)),
)

# Hải Dương's provincial bodies: (name, contact, seats); all in the city of Hải Dương.
HAI_DUONG_BODIES: tuple[tuple[str, str, int], ...] = (
    ("Sở Nông nghiệp và Phát triển nông thôn tỉnh Hải Dương", "Phó Giám đốc Sở", 20),
    ("Sở Ngoại vụ tỉnh Hải Dương", "Phó Giám đốc Sở", 10),
    ("Sở Kế hoạch và Đầu tư tỉnh Hải Dương", "Phó Giám đốc Sở", 10),
    ("Sở Khoa học và Công nghệ tỉnh Hải Dương", "Phó Giám đốc Sở", 10),
    ("Sở Tài chính tỉnh Hải Dương", "Phó Giám đốc Sở", 8),
    ("Sở Văn hóa, Thể thao và Du lịch tỉnh Hải Dương", "Phó Giám đốc Sở", 8),
    ("Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh Hải Dương", "Giám đốc Trung tâm", 15),
    ("Chi cục Trồng trọt và Bảo vệ thực vật tỉnh Hải Dương", "Chi cục trưởng", 10),
    ("Chi cục Quản lý chất lượng Nông lâm sản và Thủy sản tỉnh Hải Dương", "Chi cục trưởng", 8),
    ("Trung tâm Khuyến nông tỉnh Hải Dương", "Giám đốc Trung tâm", 10),
    ("Liên minh Hợp tác xã tỉnh Hải Dương", "Chủ tịch Liên minh", 15),
    ("Hội Nông dân tỉnh Hải Dương", "Phó Chủ tịch Hội", 12),
    ("Hiệp hội Doanh nghiệp tỉnh Hải Dương", "Tổng Thư ký Hiệp hội", 15),
    (
        "Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh tỉnh Hải Dương",
        "Phó Giám đốc chi nhánh",
        6,
    ),
)

# National agencies in Hà Nội: (name, contact, seats, organisation key or None).
HANOI_AGENCIES: tuple[tuple[str, str, int, str | None], ...] = (
    ("Cục Xúc tiến thương mại, Bộ Công Thương", "Lãnh đạo Cục", 15, "cuc-xttm"),
    ("Vụ Thị trường châu Á - châu Phi, Bộ Công Thương", "Lãnh đạo Vụ", 8, None),
    ("Vụ Thị trường châu Âu - châu Mỹ, Bộ Công Thương", "Lãnh đạo Vụ", 8, None),
    ("Cục Xuất nhập khẩu, Bộ Công Thương", "Lãnh đạo Cục", 8, None),
    ("Vụ Thị trường trong nước, Bộ Công Thương", "Lãnh đạo Vụ", 6, None),
    ("Cục Chế biến và Phát triển thị trường nông sản", "Lãnh đạo Cục", 8, None),
    ("Cục Bảo vệ thực vật", "Lãnh đạo Cục", 6, None),
    ("Văn phòng SPS Việt Nam", "Chánh Văn phòng", 6, None),
    ("Văn phòng Điều phối nông thôn mới Trung ương", "Phó Chánh Văn phòng", 6, None),
    (
        "Liên đoàn Thương mại và Công nghiệp Việt Nam (VCCI)",
        "Lãnh đạo Ban Quan hệ quốc tế",
        8,
        None,
    ),
    ("Hiệp hội Rau quả Việt Nam", "Tổng Thư ký Hiệp hội", 8, None),
)

# Other provinces' Departments of Industry and Trade: (province as named, city).
OTHER_PROVINCES: tuple[tuple[str, str], ...] = (
    ("thành phố Hà Nội", "Hà Nội"),
    ("thành phố Hải Phòng", "Hải Phòng"),
    ("thành phố Đà Nẵng", "Đà Nẵng"),
    ("Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"),
    ("tỉnh Lạng Sơn", "Lạng Sơn"),
    ("tỉnh Cao Bằng", "Cao Bằng"),
    ("tỉnh Bắc Giang", "Bắc Giang"),
    ("tỉnh Bắc Ninh", "Bắc Ninh"),
    ("tỉnh Hưng Yên", "Hưng Yên"),
    ("tỉnh Quảng Ninh", "Hạ Long"),
    ("tỉnh Thái Bình", "Thái Bình"),
    ("tỉnh Nam Định", "Nam Định"),
    ("tỉnh Hà Nam", "Phủ Lý"),
    ("tỉnh Ninh Bình", "Ninh Bình"),
    ("tỉnh Thanh Hóa", "Thanh Hóa"),
    ("tỉnh Nghệ An", "Vinh"),
    ("tỉnh Lào Cai", "Lào Cai"),
    ("tỉnh Sơn La", "Sơn La"),
    ("tỉnh Lâm Đồng", "Đà Lạt"),
    ("tỉnh Đồng Tháp", "Cao Lãnh"),
)

# Cooperatives and firms that join from their own premises: (name, city, contact, seats, org key).
PRODUCER_POINTS: tuple[tuple[str, str, str, int, str | None], ...] = (
    ("Hợp tác xã Nông nghiệp Đức Chính", "Cẩm Giàng", "Giám đốc HTX", 10, "duc-chinh"),
    ("Hợp tác xã Dịch vụ nông nghiệp Cẩm Văn", "Cẩm Giàng", "Giám đốc HTX", 8, "cam-van"),
    (
        "Công ty Cổ phần Xuất nhập khẩu Nông sản Hải Dương",
        "Hải Dương",
        "Tổng Giám đốc",
        10,
        "hd-export",
    ),
    ("Hợp tác xã Vải thiều Thanh Hà", "Thanh Hà", "Giám đốc HTX", 8, "thanh-ha"),
    ("Công ty TNHH Đặc sản Thành Đông", "Hải Dương", "Giám đốc", 6, "thanh-dong"),
    ("Hợp tác xã Hành tỏi Kinh Môn", "Kinh Môn", "Giám đốc HTX", 6, "kinh-mon"),
    ("Hợp tác xã Na Chi Lăng", "Chi Lăng", "Giám đốc HTX", 8, "chi-lang"),
    ("Hợp tác xã Hồi Văn Quan", "Văn Quan", "Giám đốc HTX", 6, "hoi-van-quan"),
    ("Hợp tác xã Rau an toàn Gia Xuyên", "Hải Dương", "Giám đốc HTX", 6, None),
    ("Hợp tác xã Nông nghiệp Cẩm Hoàng", "Cẩm Giàng", "Giám đốc HTX", 6, None),
    ("Công ty TNHH Chế biến Nông sản Cẩm Giàng", "Cẩm Giàng", "Giám đốc", 6, None),
    ("Công ty TNHH Kho lạnh và Logistics Hải Dương", "Hải Dương", "Giám đốc", 5, None),
    ("Công ty Cổ phần Giống cây trồng Hải Dương", "Hải Dương", "Giám đốc", 5, None),
    ("Hợp tác xã Vải u hồng Thanh Hà", "Thanh Hà", "Giám đốc HTX", 5, None),
    ("Công ty TNHH Bao bì Nông sản Nam Sách", "Nam Sách", "Giám đốc", 4, None),
)


def _trade_office_points() -> tuple[PointSeed, ...]:
    return tuple(
        PointSeed(
            name=office,
            country=country,
            city=city,
            timezone=zone,
            contact_name=f"Tham tán thương mại {counsellor}",
            expected_seats=seats,
            organisation=f"office-{country.lower()}-{index}",
        )
        for index, (city, country, zone, office, counsellor, seats) in enumerate(TRADE_OFFICES)
    )


def _home_point(
    name: str, city: str, contact: str, seats: int, org: str | None = None
) -> PointSeed:
    return PointSeed(name, "VN", city, VN_ZONE, contact, seats, org)


def _home_points() -> tuple[PointSeed, ...]:
    points: list[PointSeed] = []
    for kind, unit in HAI_DUONG_UNITS:
        office = "Phòng Nông nghiệp và Phát triển nông thôn" if kind == "huyện" else "Phòng Kinh tế"
        points.append(_home_point(f"UBND {kind} {unit}", unit, f"Chủ tịch UBND {kind}", 25))
        points.append(_home_point(f"{office} {kind} {unit}", unit, f"Trưởng {office}", 10))
    for district, communes in HAI_DUONG_COMMUNES:
        for index, commune in enumerate(communes):
            name = f"UBND xã {commune}, huyện {district}"
            points.append(_home_point(name, district, "Chủ tịch UBND xã", 8 + index % 4))
    for name, contact, seats in HAI_DUONG_BODIES:
        points.append(_home_point(name, "Hải Dương", contact, seats))
    for name, contact, seats, org in HANOI_AGENCIES:
        points.append(_home_point(name, "Hà Nội", contact, seats, org))
    for province, city in OTHER_PROVINCES:
        org = "so-ct-cb" if province == "tỉnh Cao Bằng" else None
        points.append(_home_point(f"Sở Công Thương {province}", city, "Phó Giám đốc Sở", 6, org))
    for name, city, contact, seats, org in PRODUCER_POINTS:
        points.append(_home_point(name, city, contact, seats, org))
    return tuple(points)


CONFERENCE_POINTS = _trade_office_points() + _home_points()

# The join links the demo prints: one abroad, two at home.
SAMPLE_ABROAD_POINT = "Thương vụ Việt Nam tại Nhật Bản"
SAMPLE_HOME_POINTS = ("UBND xã Đức Chính, huyện Cẩm Giàng", "Sở Công Thương tỉnh Lạng Sơn")


def _briefing(start: str, end: str, title_vi: str, title_en: str, city: str) -> TalkSeed:
    """A market briefing by the trade counsellor of `city`'s office, online from there."""
    for office_city, country, _zone, office, counsellor, _seats in TRADE_OFFICES:
        if office_city == city:
            return TalkSeed(
                0,
                _t(start),
                _t(end),
                title_vi,
                title_en,
                f"Tham tán thương mại {counsellor}",
                kind="briefing",
                country=country,
                organisation=f"{office} (trực tuyến từ {city})",
            )
    raise KeyError(city)


CONFERENCE_TALKS: tuple[TalkSeed, ...] = (
    TalkSeed(
        0,
        _t("08:00"),
        _t("08:20"),
        "Khai mạc hội nghị",
        "Opening of the conference",
        "Lãnh đạo UBND tỉnh Hải Dương",
        kind="opening",
    ),
    TalkSeed(
        0,
        _t("08:20"),
        _t("08:50"),
        "Báo cáo tiềm năng sản xuất và xuất khẩu cà rốt, nông sản tỉnh Hải Dương",
        "Hải Dương's carrots and farm produce: output and export potential",
        "Lãnh đạo Sở Công Thương tỉnh Hải Dương",
    ),
    TalkSeed(
        0,
        _t("08:50"),
        _t("09:10"),
        "Chương trình xúc tiến thương mại quốc gia: hỗ trợ doanh nghiệp nông sản xuất khẩu",
        "The national trade promotion programme: support for farm-produce exporters",
        "Lãnh đạo Cục Xúc tiến thương mại, Bộ Công Thương",
    ),
    _briefing(
        "09:10",
        "09:35",
        "Thị trường Nhật Bản: an toàn thực phẩm, dư lượng thuốc bảo vệ thực vật, kênh phân phối",
        "Japan: food safety, pesticide residue limits and distribution channels",
        "Tokyo",
    ),
    _briefing(
        "09:35",
        "10:00",
        "Thị trường Hàn Quốc: kiểm dịch thực vật, hạn ngạch thuế quan và cơ hội cho cà rốt",
        "Korea: plant quarantine, tariff quotas and openings for carrots",
        "Seoul",
    ),
    _briefing(
        "10:00",
        "10:25",
        "Thị trường EU: quy định MRL, GlobalGAP, truy xuất nguồn gốc và EVFTA",
        "The EU: residue limits, GlobalGAP, traceability and the EVFTA",
        "Brussels",
    ),
    _briefing(
        "10:25",
        "10:50",
        "Thị trường Trung Đông: chứng nhận Halal, chuỗi lạnh và rủi ro thanh toán",
        "The Middle East: Halal certification, cold chain and payment risks",
        "Dubai",
    ),
    _briefing(
        "10:50",
        "11:10",
        "Malaysia, Singapore, Thái Lan: nhu cầu rau củ và rào cản kỹ thuật",
        "Malaysia, Singapore, Thailand: demand for vegetables and technical barriers",
        "Kuala Lumpur",
    ),
    TalkSeed(
        0,
        _t("11:10"),
        _t("11:50"),
        "Hỏi đáp: doanh nghiệp đề nghị đánh giá rủi ro thị trường và tháo gỡ rào cản kỹ thuật",
        "Q&A: firms ask for export-market risk assessments and help with technical barriers",
        "Doanh nghiệp, hợp tác xã và các Tham tán thương mại",
        kind="qa",
    ),
    TalkSeed(
        0,
        _t("13:30"),
        _t("15:30"),
        "Kết nối giao thương B2B giữa doanh nghiệp Hải Dương, Thương vụ và nhà nhập khẩu",
        "B2B matching: Hải Dương firms meet trade offices and importers",
        "Các điểm cầu trong nước và quốc tế",
        kind="panel",
    ),
    TalkSeed(
        0,
        _t("15:30"),
        _t("16:00"),
        "Lễ ký kết biên bản ghi nhớ hợp tác tiêu thụ cà rốt và nông sản",
        "Signing of memoranda on carrot and farm-produce sales",
        "Doanh nghiệp, hợp tác xã và đối tác tiêu thụ",
        kind="signing",
    ),
    # Late on purpose: 02:00 in San Francisco and 05:00 in Washington, which the planner flags.
    _briefing(
        "17:00",
        "17:25",
        "Thị trường Hoa Kỳ: FDA, Đạo luật FSMA và yêu cầu truy xuất nguồn gốc rau củ",
        "The United States: FDA, the FSMA and traceability rules for vegetables",
        "Washington, D.C.",
    ),
    TalkSeed(
        0,
        _t("17:25"),
        _t("17:45"),
        "Bế mạc hội nghị",
        "Closing of the conference",
        "Lãnh đạo Sở Công Thương tỉnh Hải Dương",
        kind="other",
    ),
)

PRODUCT_WEEK_DAYS = 7

_PRODUCT_WEEK_ITEMS: tuple[TalkSeed, ...] = (
    TalkSeed(
        0,
        _t("08:30"),
        _t("09:30"),
        "Lễ khai mạc Tuần hàng",
        "Opening ceremony of the product week",
        "Lãnh đạo Sở Công Thương tỉnh Cao Bằng và ITPC",
        MAIN_STAGE,
        kind="opening",
    ),
    *(
        TalkSeed(
            day,
            _t("09:30") if day == 0 else _t("08:00"),
            _t("21:00"),
            f"Gian hàng mở cửa - ngày {day + 1}",
            f"Booths open - day {day + 1}",
            "Doanh nghiệp, hợp tác xã tỉnh Cao Bằng",
            BOOTH_AREA,
        )
        for day in range(PRODUCT_WEEK_DAYS)
    ),
    TalkSeed(
        1,
        _t("14:00"),
        _t("16:30"),
        "Hội nghị kết nối cung cầu giữa doanh nghiệp Cao Bằng và nhà phân phối TP. Hồ Chí Minh",
        "Supply meets demand: Cao Bằng producers and Ho Chi Minh City distributors",
        "Sở Công Thương tỉnh Cao Bằng, ITPC và các nhà phân phối",
        MAIN_STAGE,
        kind="panel",
    ),
    TalkSeed(
        3,
        _t("15:00"),
        _t("16:00"),
        "Giới thiệu và thưởng thức thạch đen, miến dong Cao Bằng",
        "Tasting Cao Bằng black jelly and dong vermicelli",
        "Hợp tác xã Thạch đen Thạch An, Hợp tác xã Miến dong Nguyên Bình",
        MAIN_STAGE,
    ),
    TalkSeed(
        PRODUCT_WEEK_DAYS - 1,
        _t("19:30"),
        _t("20:30"),
        "Bế mạc Tuần hàng",
        "Closing of the product week",
        "Sở Công Thương tỉnh Cao Bằng",
        MAIN_STAGE,
    ),
)
# In agenda order, so ids follow the clock.
PRODUCT_WEEK_TALKS = tuple(sorted(_PRODUCT_WEEK_ITEMS, key=lambda talk: (talk.day, talk.start)))

PRODUCT_WEEK_POINTS: tuple[PointSeed, ...] = (
    _home_point("Sở Công Thương tỉnh Cao Bằng", "Cao Bằng", "Phó Giám đốc Sở", 10, "so-ct-cb"),
    _home_point("UBND huyện Bảo Lạc", "Bảo Lạc", "Chủ tịch UBND huyện", 8),
    _home_point("UBND huyện Thạch An", "Thạch An", "Chủ tịch UBND huyện", 8),
)

EVENTS: tuple[EventSeed, ...] = (
    EventSeed(
        slug=CONFERENCE_SLUG,
        title_vi=(
            "Hội nghị kết nối tiêu thụ cà rốt và nông sản tỉnh Hải Dương "
            "với hệ thống Thương vụ Việt Nam ở nước ngoài"
        ),
        title_en=(
            "Hải Dương carrots and farm produce: trade connection conference "
            "with Vietnam's trade offices abroad"
        ),
        kind="conference",
        venue="Hội trường UBND tỉnh Hải Dương, TP. Hải Dương",
        venue_en="Hall of the Hải Dương Provincial People's Committee, Hải Dương City",
        summary_vi=(
            "Sở Công Thương tỉnh Hải Dương phối hợp với Cục Xúc tiến thương mại (Bộ Công Thương) "
            "tổ chức hội nghị theo hình thức trực tiếp và trực tuyến với 150 điểm cầu, trong đó "
            "36 điểm cầu quốc tế tại các Thương vụ Việt Nam ở nước ngoài. Hải Dương duy trì khoảng "
            "1.400 ha cà rốt, sản lượng trên 70.000 tấn/năm, 100% diện tích sản xuất theo tiêu "
            "chuẩn VietGAP, GlobalGAP; cà rốt đã xuất khẩu sang Trung Đông, Hàn Quốc, Nhật Bản, "
            "châu Âu, Malaysia, Singapore và Thái Lan. Tỉnh có 8 nhóm nông sản chủ lực và 234 sản "
            "phẩm OCOP. Các Tham tán thương mại thông tin về quy định, rào cản kỹ thuật và rủi ro "
            "của từng thị trường; doanh nghiệp, hợp tác xã hỏi đáp và kết nối giao thương."
        ),
        summary_en=(
            "Hải Dương's Department of Industry and Trade and the Vietnam Trade Promotion Agency "
            "(Ministry of Industry and Trade) hold a hybrid conference with 150 attendance points, "
            "36 of them at Vietnam's trade offices abroad. Hải Dương grows carrots on about "
            "1,400 ha, over 70,000 tonnes a year, 100% of the area under VietGAP or GlobalGAP; "
            "its carrots are exported to the Middle East, Korea, Japan, Europe, Malaysia, "
            "Singapore and Thailand. The province has 8 key farm-produce groups and 234 OCOP "
            "products. Trade counsellors brief on each market's regulations, technical barriers "
            "and risks; firms and cooperatives ask questions and meet buyers."
        ),
        days=1,
        opens=_t("07:30"),
        closes=_t("18:00"),
        talks=CONFERENCE_TALKS,
        points=CONFERENCE_POINTS,
    ),
    EventSeed(
        slug=PRODUCT_WEEK_SLUG,
        title_vi=(
            "Tuần hàng sản phẩm đặc trưng vùng dân tộc thiểu số và miền núi tỉnh Cao Bằng "
            "tại TP. Hồ Chí Minh"
        ),
        title_en=("Cao Bằng ethnic-minority and mountain-region product week in Ho Chi Minh City"),
        kind="product_week",
        venue="Khu trưng bày Tuần hàng Cao Bằng, TP. Hồ Chí Minh",
        venue_en="Cao Bằng product week exhibition hall, Ho Chi Minh City",
        summary_vi=(
            "Sở Công Thương tỉnh Cao Bằng phối hợp với Trung tâm Xúc tiến Thương mại và Đầu tư "
            "TP. Hồ Chí Minh (ITPC) tổ chức Tuần hàng: hơn 15 doanh nghiệp, hợp tác xã trưng bày "
            "gần 80 loại sản phẩm như thạch đen, miến dong, gạo nếp hương Bảo Lạc, bánh khảo, trà "
            "Giảo Cổ Lam, trà Kolia, nông cụ của làng rèn Phúc Sen. Cao Bằng có 144 sản phẩm OCOP "
            "(131 sản phẩm 3 sao, 13 sản phẩm 4 sao) và 61 sản phẩm công nghiệp nông thôn tiêu "
            "biểu; một số nông sản chế biến đã vào Hoa Kỳ, Nhật Bản, EU, Hàn Quốc."
        ),
        summary_en=(
            "Cao Bằng's Department of Industry and Trade and the Ho Chi Minh City Investment and "
            "Trade Promotion Centre (ITPC) hold a product week: over 15 firms and cooperatives "
            "show about 80 products such as black jelly, dong vermicelli, Bảo Lạc fragrant "
            "sticky rice, khảo cakes, Giảo Cổ Lam and Kolia teas and Phúc Sen forged tools. "
            "Cao Bằng has 144 OCOP products (131 three-star, 13 four-star) and 61 typical rural "
            "industrial products; some processed produce already sells in the US, Japan, the EU "
            "and Korea."
        ),
        days=PRODUCT_WEEK_DAYS,
        opens=_t("08:00"),
        closes=_t("21:00"),
        talks=PRODUCT_WEEK_TALKS,
        points=PRODUCT_WEEK_POINTS,
    ),
)

_P = OrganisationKind.producer_firm
_C = OrganisationKind.cooperative
_A = OrganisationKind.agency
_B = OrganisationKind.buyer

ORGANISATIONS: tuple[OrgSeed, ...] = (
    OrgSeed("so-ct-hd", "Sở Công Thương tỉnh Hải Dương", _A, province="Hải Dương"),
    OrgSeed("cuc-xttm", "Cục Xúc tiến thương mại, Bộ Công Thương", _A, province="Hà Nội"),
    OrgSeed("so-ct-cb", "Sở Công Thương tỉnh Cao Bằng", _A, province="Cao Bằng"),
    OrgSeed(
        "itpc",
        "Trung tâm Xúc tiến Thương mại và Đầu tư TP. Hồ Chí Minh (ITPC)",
        _A,
        province="TP. Hồ Chí Minh",
    ),
    *(
        OrgSeed(f"office-{country.lower()}-{index}", office, OrganisationKind.trade_office, country)
        for index, (_city, country, _zone, office, _who, _seats) in enumerate(TRADE_OFFICES)
    ),
    OrgSeed("duc-chinh", "Hợp tác xã Nông nghiệp Đức Chính", _C, province="Hải Dương"),
    OrgSeed("cam-van", "Hợp tác xã Dịch vụ nông nghiệp Cẩm Văn", _C, province="Hải Dương"),
    OrgSeed(
        "hd-export", "Công ty Cổ phần Xuất nhập khẩu Nông sản Hải Dương", _P, province="Hải Dương"
    ),
    OrgSeed("thanh-ha", "Hợp tác xã Vải thiều Thanh Hà", _C, province="Hải Dương"),
    OrgSeed("thanh-dong", "Công ty TNHH Đặc sản Thành Đông", _P, province="Hải Dương"),
    OrgSeed("kinh-mon", "Hợp tác xã Hành tỏi Kinh Môn", _C, province="Hải Dương"),
    OrgSeed("chi-lang", "Hợp tác xã Na Chi Lăng", _C, province="Lạng Sơn"),
    OrgSeed("hoi-van-quan", "Hợp tác xã Hồi Văn Quan", _C, province="Lạng Sơn"),
    OrgSeed("thach-den", "Hợp tác xã Thạch đen Thạch An", _C, province="Cao Bằng"),
    OrgSeed("mien-dong", "Hợp tác xã Miến dong Nguyên Bình", _C, province="Cao Bằng"),
    OrgSeed("bao-lac", "Hợp tác xã Nông nghiệp Bảo Lạc", _C, province="Cao Bằng"),
    OrgSeed("tra-cao-bang", "Hợp tác xã Trà thảo dược Cao Bằng", _C, province="Cao Bằng"),
    OrgSeed("phuc-sen", "Hợp tác xã Rèn Phúc Sen", _C, province="Cao Bằng"),
    OrgSeed("trung-khanh", "Hợp tác xã Nông lâm sản Trùng Khánh", _C, province="Cao Bằng"),
    OrgSeed("buyer-jp", "Sakura Fresh Foods Co., Ltd.", _B, "JP"),
    OrgSeed("buyer-kr", "Hanbit Agro Trading Co., Ltd.", _B, "KR"),
    OrgSeed("buyer-ae", "Al Wadi Fresh Produce Trading LLC", _B, "AE"),
    OrgSeed("buyer-nl", "Noordhaven Groente B.V.", _B, "NL"),
    OrgSeed(
        "buyer-hcm",
        "Công ty TNHH Phân phối Thực phẩm Sài Gòn Xanh",
        _B,
        province="TP. Hồ Chí Minh",
    ),
)

_CARROTS_VI = "Hải Dương có khoảng 1.400 ha cà rốt, sản lượng trên 70.000 tấn/năm, 100% diện tích đạt VietGAP hoặc GlobalGAP."
_CARROTS_EN = "Hải Dương grows about 1,400 ha of carrots, over 70,000 t a year, 100% of the area under VietGAP or GlobalGAP."
_CUSTARD_VI = (
    "Na Chi Lăng trồng khoảng 3.200 ha ở Chi Lăng, Hữu Lũng, sản lượng trên 35.000 tấn/năm."
)
_CUSTARD_EN = (
    "Chi Lăng custard apples grow on about 3,200 ha in Chi Lăng and Hữu Lũng, over 35,000 t a year."
)
_ANISE_VI = "Lạng Sơn có trên 34.000 ha hồi, sản lượng trên 15.000 tấn/năm."
_ANISE_EN = "Lạng Sơn has over 34,000 ha of star anise yielding over 15,000 t a year."
_CAO_BANG_VI = "Một trong 144 sản phẩm OCOP của Cao Bằng."
_CAO_BANG_EN = "One of Cao Bằng's 144 OCOP products."

BOOTHS: tuple[BoothSeed, ...] = (
    BoothSeed(
        CONFERENCE_SLUG,
        "duc-chinh",
        "Cà rốt Đức Chính - Cẩm Giàng",
        "Đức Chính carrots - Cẩm Giàng",
        "Vùng cà rốt lớn nhất Hải Dương, có mã số vùng trồng; thu hoạch tháng 1 đến tháng 4. "
        + _CARROTS_VI,
        "Hải Dương's largest carrot area, with registered growing-area codes; harvest January to April. "
        + _CARROTS_EN,
        (
            ProductSeed(
                "Cà rốt tươi xuất khẩu loại 1",
                "Grade 1 fresh carrots for export",
                "vegetables",
                "VietGAP,GlobalGAP",
                None,
                "Củ 150-250 g, rửa sạch, đóng thùng 10 kg. " + _CARROTS_VI,
                "Roots of 150-250 g, washed, packed in 10 kg cartons. " + _CARROTS_EN,
            ),
            ProductSeed(
                "Cà rốt baby",
                "Baby carrots",
                "vegetables",
                "VietGAP",
                None,
                "Cà rốt non, củ dưới 100 g, đóng khay 500 g cho siêu thị.",
                "Young carrots under 100 g, in 500 g supermarket trays.",
            ),
            ProductSeed(
                "Nước ép cà rốt Đức Chính",
                "Đức Chính carrot juice",
                "processed_food",
                "VietGAP,OCOP",
                3,
                "Nước ép nguyên chất từ cà rốt VietGAP, chai 330 ml.",
                "Pure juice of VietGAP carrots, 330 ml bottles.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "cam-van",
        "Hợp tác xã Cẩm Văn",
        "Cẩm Văn Cooperative",
        "Liên kết hơn 300 hộ trồng cà rốt theo chuỗi, truy xuất nguồn gốc bằng mã QR.",
        "Links over 300 carrot-growing households in one chain, traceable by QR code.",
        (
            ProductSeed(
                "Cà rốt rửa sạch đóng túi 1 kg",
                "Washed carrots, 1 kg bags",
                "vegetables",
                "VietGAP",
                None,
                "Cho chuỗi bán lẻ trong nước, giao hằng ngày. " + _CARROTS_VI,
                "For domestic retail chains, delivered daily. " + _CARROTS_EN,
            ),
            ProductSeed(
                "Cà rốt sấy dẻo",
                "Soft-dried carrots",
                "processed_food",
                "VietGAP,OCOP",
                3,
                "Sấy lạnh, không phẩm màu, túi 200 g.",
                "Cold-dried, no colouring, 200 g bags.",
            ),
            ProductSeed(
                "Cà rốt nguyên liệu chế biến",
                "Carrots for processing",
                "vegetables",
                "VietGAP",
                None,
                "Củ loại 2 cho nhà máy nước ép, sấy và đông lạnh.",
                "Grade 2 roots for juice, drying and freezing plants.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "hd-export",
        "Nông sản Hải Dương xuất khẩu",
        "Hải Dương farm-produce exports",
        "Thu mua, sơ chế, đóng gói và xuất khẩu rau củ đi Hàn Quốc, Nhật Bản, Trung Đông, châu Âu, Malaysia, Singapore và Thái Lan.",
        "Buys, prepares, packs and exports vegetables to Korea, Japan, the Middle East, Europe, Malaysia, Singapore and Thailand.",
        (
            ProductSeed(
                "Cà rốt xuất khẩu container lạnh",
                "Carrots in reefer containers",
                "vegetables",
                "VietGAP,GlobalGAP",
                None,
                "Container 40 feet khoảng 24 tấn, bảo quản 0-2 °C. " + _CARROTS_VI,
                "About 24 t per 40-foot container, kept at 0-2 °C. " + _CARROTS_EN,
            ),
            ProductSeed(
                "Cà rốt cắt khúc đông lạnh IQF",
                "IQF frozen carrot chunks",
                "processed_food",
                "GlobalGAP",
                None,
                "Đông lạnh nhanh từng miếng, thùng 10 kg, bảo quản -18 °C.",
                "Individually quick frozen, 10 kg cartons, stored at -18 °C.",
            ),
            ProductSeed(
                "Bắp cải tròn xuất khẩu",
                "Round cabbage for export",
                "vegetables",
                "VietGAP",
                None,
                "Bắp 1,2-2 kg, vụ đông, đóng túi lưới.",
                "Heads of 1.2-2 kg, winter crop, in mesh bags.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "thanh-ha",
        "Vải thiều Thanh Hà",
        "Thanh Hà lychee",
        "Vải thiều Thanh Hà mang chỉ dẫn địa lý, thu hoạch tháng 6 đến tháng 7.",
        "Thanh Hà lychee carries a geographical indication; harvest June to July.",
        (
            ProductSeed(
                "Vải thiều Thanh Hà tươi",
                "Fresh Thanh Hà lychee",
                "fruit",
                "VietGAP,GlobalGAP",
                None,
                "Vùng trồng có mã số cho Nhật Bản, EU; bảo quản lạnh.",
                "Growing areas registered for Japan and the EU; shipped chilled.",
            ),
            ProductSeed(
                "Vải thiều sấy khô",
                "Dried lychee",
                "processed_food",
                "OCOP",
                4,
                "Sấy nguyên quả, hộp 500 g.",
                "Whole dried fruit, 500 g boxes.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "thanh-dong",
        "Đặc sản Hải Dương",
        "Hải Dương specialities",
        "Bánh đậu xanh, bánh gai và các sản phẩm OCOP trong 234 sản phẩm OCOP của tỉnh.",
        "Mung-bean cakes, gai leaf cakes and other products among the province's 234 OCOP products.",
        (
            ProductSeed(
                "Bánh đậu xanh Hải Dương",
                "Hải Dương mung-bean cake",
                "processed_food",
                "OCOP",
                4,
                "Đậu xanh, đường, mỡ; hộp 250 g, hạn dùng 6 tháng.",
                "Mung beans, sugar and lard; 250 g boxes, six-month shelf life.",
            ),
            ProductSeed(
                "Bánh gai Ninh Giang",
                "Ninh Giang gai leaf cake",
                "processed_food",
                "OCOP",
                4,
                "Bánh lá gai nhân đậu xanh, dừa, vừng; giao trong ngày.",
                "Ramie-leaf cake filled with mung beans, coconut and sesame; delivered same day.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "kinh-mon",
        "Hành tỏi Kinh Môn",
        "Kinh Môn shallots and garlic",
        "Hành, tỏi trồng trên đất phù sa ven sông Kinh Thầy.",
        "Shallots and garlic grown on the Kinh Thầy river silt.",
        (
            ProductSeed(
                "Hành khô Kinh Môn",
                "Kinh Môn dried shallots",
                "spices",
                "VietGAP,OCOP",
                3,
                "Củ nhỏ, thơm, phơi khô; bao 10 kg hoặc túi 500 g.",
                "Small aromatic bulbs, sun-dried; 10 kg sacks or 500 g bags.",
            ),
            ProductSeed(
                "Tỏi Kinh Môn",
                "Kinh Môn garlic",
                "spices",
                "VietGAP,OCOP",
                3,
                "Tỏi ta nhiều tép, vị cay đậm.",
                "Local multi-clove garlic with a strong taste.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "chi-lang",
        "Na Chi Lăng - Lạng Sơn",
        "Chi Lăng custard apple - Lạng Sơn",
        "Na trồng trên dãy núi đá vôi Cai Kinh; thu hoạch tháng 7 đến tháng 9. " + _CUSTARD_VI,
        "Custard apples from the Cai Kinh limestone range; harvest July to September. "
        + _CUSTARD_EN,
        (
            ProductSeed(
                "Na Chi Lăng tươi",
                "Fresh Chi Lăng custard apple",
                "fruit",
                "VietGAP",
                None,
                "Quả 250-400 g, đóng thùng xốp 10 kg. " + _CUSTARD_VI,
                "Fruit of 250-400 g in 10 kg foam boxes. " + _CUSTARD_EN,
            ),
            ProductSeed(
                "Na Chi Lăng hộp quà",
                "Chi Lăng custard apple gift box",
                "fruit",
                "VietGAP,OCOP",
                4,
                "Quả loại đặc biệt, hộp 3 kg có tem truy xuất.",
                "Premium fruit, 3 kg boxes with traceability labels.",
            ),
        ),
    ),
    BoothSeed(
        CONFERENCE_SLUG,
        "hoi-van-quan",
        "Hoa hồi Lạng Sơn",
        "Lạng Sơn star anise",
        "Hoa hồi và tinh dầu hồi từ Văn Quan, Bình Gia. " + _ANISE_VI,
        "Star anise and anise oil from Văn Quan and Bình Gia. " + _ANISE_EN,
        (
            ProductSeed(
                "Hoa hồi khô Lạng Sơn",
                "Dried Lạng Sơn star anise",
                "spices",
                "OCOP",
                4,
                "Hồi vụ thu, cánh to, độ ẩm dưới 13%. " + _ANISE_VI,
                "Autumn crop, large pods, moisture under 13%. " + _ANISE_EN,
            ),
            ProductSeed(
                "Tinh dầu hồi",
                "Star anise oil",
                "spices",
                "OCOP",
                4,
                "Chưng cất hơi nước, hàm lượng anethol trên 85%.",
                "Steam-distilled, over 85% anethole.",
            ),
            ProductSeed(
                "Bột hoa hồi",
                "Ground star anise",
                "spices",
                "OCOP",
                3,
                "Xay mịn, hũ 100 g.",
                "Finely ground, 100 g jars.",
            ),
        ),
    ),
    BoothSeed(
        PRODUCT_WEEK_SLUG,
        "thach-den",
        "Thạch đen Thạch An",
        "Thạch An black jelly",
        "Thạch đen nấu từ cây thạch đen trồng ở Thạch An, Cao Bằng.",
        "Black jelly cooked from the Mesona plant grown in Thạch An, Cao Bằng.",
        (
            ProductSeed(
                "Thạch đen khô Thạch An",
                "Dried Thạch An black jelly herb",
                "herbal",
                "OCOP",
                4,
                "Cây thạch đen phơi khô, bó 1 kg. " + _CAO_BANG_VI,
                "Sun-dried Mesona plant, 1 kg bundles. " + _CAO_BANG_EN,
            ),
            ProductSeed(
                "Thạch đen đóng cốc",
                "Black jelly cups",
                "processed_food",
                "OCOP",
                3,
                "Cốc 200 g, bảo quản mát.",
                "200 g cups, kept chilled.",
            ),
            ProductSeed(
                "Bột thạch đen",
                "Black jelly powder",
                "processed_food",
                "",
                None,
                "Nấu tại nhà trong 10 phút, gói 50 g.",
                "Cooks at home in 10 minutes, 50 g sachets.",
            ),
        ),
    ),
    BoothSeed(
        PRODUCT_WEEK_SLUG,
        "mien-dong",
        "Miến dong Nguyên Bình",
        "Nguyên Bình dong vermicelli",
        "Miến làm từ củ dong riềng trồng ở Nguyên Bình, phơi nắng tự nhiên.",
        "Vermicelli from canna (dong riềng) grown in Nguyên Bình, sun-dried.",
        (
            ProductSeed(
                "Miến dong Nguyên Bình",
                "Nguyên Bình dong vermicelli",
                "processed_food",
                "OCOP",
                4,
                "Sợi dai, không chất tẩy trắng, túi 500 g. " + _CAO_BANG_VI,
                "Chewy, unbleached, 500 g bags. " + _CAO_BANG_EN,
            ),
            ProductSeed(
                "Tinh bột dong riềng",
                "Canna starch",
                "processed_food",
                "OCOP",
                3,
                "Tinh bột lọc, bao 25 kg cho cơ sở chế biến.",
                "Refined starch, 25 kg sacks for processors.",
            ),
        ),
    ),
    BoothSeed(
        PRODUCT_WEEK_SLUG,
        "bao-lac",
        "Gạo nếp hương Bảo Lạc",
        "Bảo Lạc fragrant sticky rice",
        "Nếp hương trồng trên ruộng bậc thang Bảo Lạc và bánh khảo làm từ nếp.",
        "Fragrant sticky rice from Bảo Lạc's terraces, and khảo cakes made from it.",
        (
            ProductSeed(
                "Gạo nếp hương Bảo Lạc",
                "Bảo Lạc fragrant sticky rice",
                "grain",
                "OCOP",
                3,
                "Hạt tròn, dẻo thơm; túi 2 kg và bao 10 kg. " + _CAO_BANG_VI,
                "Round, soft and fragrant; 2 kg bags and 10 kg sacks. " + _CAO_BANG_EN,
            ),
            ProductSeed(
                "Bánh khảo Cao Bằng",
                "Cao Bằng khảo cake",
                "processed_food",
                "OCOP",
                3,
                "Bột nếp rang, đường, nhân mỡ; hộp 300 g.",
                "Roasted sticky-rice flour and sugar with a lard filling; 300 g boxes.",
            ),
        ),
    ),
    BoothSeed(
        PRODUCT_WEEK_SLUG,
        "tra-cao-bang",
        "Trà thảo dược Cao Bằng",
        "Cao Bằng herbal teas",
        "Trà Giảo Cổ Lam, trà Kolia và cao Hà thủ ô đỏ từ dược liệu vùng núi.",
        "Giảo Cổ Lam and Kolia teas and red fo-ti extract from mountain herbs.",
        (
            ProductSeed(
                "Trà Giảo Cổ Lam",
                "Giảo Cổ Lam (jiaogulan) tea",
                "tea",
                "OCOP",
                3,
                "Lá giảo cổ lam 5 lá sấy khô, hộp 100 g. " + _CAO_BANG_VI,
                "Dried five-leaf jiaogulan, 100 g boxes. " + _CAO_BANG_EN,
            ),
            ProductSeed(
                "Trà Kolia",
                "Kolia tea",
                "tea",
                "OCOP",
                3,
                "Trà túi lọc thảo mộc, hộp 25 túi.",
                "Herbal tea bags, boxes of 25.",
            ),
            ProductSeed(
                "Cao Hà thủ ô đỏ",
                "Red fo-ti extract",
                "herbal",
                "OCOP",
                4,
                "Cao đặc chiết xuất từ củ hà thủ ô đỏ, lọ 100 g.",
                "Thick extract of red fo-ti root, 100 g jars.",
            ),
        ),
    ),
    BoothSeed(
        PRODUCT_WEEK_SLUG,
        "phuc-sen",
        "Làng rèn Phúc Sen",
        "Phúc Sen forge village",
        "Nông cụ cầm tay rèn thủ công bằng thép nhíp của người Nùng An ở Phúc Sen, Quảng Hòa.",
        "Hand tools forged from leaf-spring steel by the Nùng An smiths of Phúc Sen, Quảng Hòa.",
        (
            ProductSeed(
                "Dao rèn Phúc Sen",
                "Phúc Sen forged knife",
                "tools",
                "OCOP",
                3,
                "Dao thái, dao chặt tôi thép, chuôi gỗ nghiến. " + _CAO_BANG_VI,
                "Tempered slicing and chopping knives with ironwood handles. " + _CAO_BANG_EN,
            ),
            ProductSeed(
                "Cuốc rèn thủ công",
                "Hand-forged hoe",
                "tools",
                "",
                None,
                "Lưỡi cuốc thép nhíp, nặng 1,2 kg.",
                "Leaf-spring steel blade, 1.2 kg.",
            ),
            ProductSeed(
                "Liềm và dao quắm",
                "Sickles and billhooks",
                "tools",
                "",
                None,
                "Dụng cụ thu hoạch cho vùng đồi núi.",
                "Harvest tools for hill farms.",
            ),
        ),
    ),
    BoothSeed(
        PRODUCT_WEEK_SLUG,
        "trung-khanh",
        "Nông lâm sản Trùng Khánh",
        "Trùng Khánh farm and forest produce",
        "Hạt dẻ Trùng Khánh và sản phẩm chế biến từ trúc.",
        "Trùng Khánh chestnuts and bamboo products.",
        (
            ProductSeed(
                "Hạt dẻ Trùng Khánh",
                "Trùng Khánh chestnuts",
                "nuts",
                "OCOP",
                4,
                "Hạt dẻ rang hoặc tươi, thu hoạch tháng 8 đến tháng 9. " + _CAO_BANG_VI,
                "Roasted or fresh, harvested August to September. " + _CAO_BANG_EN,
            ),
            ProductSeed(
                "Măng trúc khô",
                "Dried bamboo shoots",
                "vegetables",
                "OCOP",
                3,
                "Măng trúc rừng luộc, phơi khô, túi 500 g.",
                "Forest bamboo shoots, boiled and dried, 500 g bags.",
            ),
            ProductSeed(
                "Đũa trúc tự nhiên",
                "Natural bamboo chopsticks",
                "handicraft",
                "",
                None,
                "Đũa trúc không sơn, bó 10 đôi.",
                "Unvarnished bamboo chopsticks, bundles of 10 pairs.",
            ),
        ),
    ),
)

_BOTH = (CONFERENCE_SLUG, PRODUCT_WEEK_SLUG)
_CONF = (CONFERENCE_SLUG,)
_WEEK = (PRODUCT_WEEK_SLUG,)


def _counsellor(local: str, city: str) -> AccountSeed:
    for index, (office_city, country, zone, _office, counsellor, _seats) in enumerate(
        TRADE_OFFICES
    ):
        if office_city == city:
            return AccountSeed(
                _email(local),
                f"Tham tán thương mại {counsellor}",
                Role.counsellor,
                _CONF,
                f"office-{country.lower()}-{index}",
                timezone=zone,
            )
    raise KeyError(city)


def _producer(key: str, events: tuple[str, ...]) -> AccountSeed:
    org = next(o for o in ORGANISATIONS if o.key == key)
    return AccountSeed(_email(f"producer.{key}"), org.name, Role.producer, events, key)


ACCOUNTS: tuple[AccountSeed, ...] = (
    AccountSeed(
        ORGANISER_EMAIL, "Ban tổ chức Sở Công Thương Hải Dương", Role.organiser, _BOTH, "so-ct-hd"
    ),
    _counsellor("counsellor.japan", "Tokyo"),
    _counsellor("counsellor.korea", "Seoul"),
    _counsellor("counsellor.eu", "Brussels"),
    _counsellor("counsellor.uae", "Dubai"),
    # The Department's own interpreter: publishes the English interpretation of the talks.
    AccountSeed(_email("interpreter.en"), "Phạm Minh Anh", Role.interpreter, _CONF, "so-ct-hd"),
    *(_producer(b.organisation, (b.event,)) for b in BOOTHS),
    AccountSeed(
        _email("buyer.japan"), "Sato Haruka", Role.buyer, _CONF, "buyer-jp", "en", "Asia/Tokyo"
    ),
    AccountSeed(
        _email("buyer.korea"), "Kim Min-jun", Role.buyer, _CONF, "buyer-kr", "en", "Asia/Seoul"
    ),
    AccountSeed(
        _email("buyer.uae"), "Omar Haddad", Role.buyer, _CONF, "buyer-ae", "en", "Asia/Dubai"
    ),
    AccountSeed(
        _email("buyer.netherlands"),
        "Sanne de Vries",
        Role.buyer,
        _CONF,
        "buyer-nl",
        "en",
        "Europe/Amsterdam",
    ),
    AccountSeed(_email("buyer.hcm"), "Trần Thị Ngọc Hân", Role.buyer, _BOTH, "buyer-hcm"),
)
