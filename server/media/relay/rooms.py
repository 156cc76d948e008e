"""Rooms and peer connections: who publishes in which slot, which source each viewer's track
follows. A room knows no talk or booth: its policy and each viewer's wishes come with the call."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription

from server.media.protocol import (
    Answer,
    AudioCall,
    PublishCall,
    RoomPolicy,
    RoomStatus,
    Status,
    WatchCall,
)
from server.media.relay.errors import NotFound, RelayError, SlotTaken
from server.media.relay.forward import Outlet, Source
from server.media.relay.hooks import discard, roomy_sockets, tap
from server.media.relay.recording import Recording, free_recording_path, recording_moment
from server.media.rules import OfferLimits, check_offer, loopback_only, recording_name
from server.settings import Settings

log = logging.getLogger("ketnoi.relay")


@dataclass
class Peer:
    """One peer connection: a publisher's (its slot) or a viewer's (its outlets)."""

    id: str
    room: Room
    pc: RTCPeerConnection
    role: str
    slot: str = ""
    label: str = ""
    # A viewer in a call: its own slot, whose tracks it is not shown.
    own_slot: str | None = None
    # Whose connection it is, as the caller named them.
    owner: str = ""
    sources: list[Source] = field(default_factory=list)
    outlets: list[Outlet] = field(default_factory=list)
    recording: Recording | None = None
    created: float = field(default_factory=time.monotonic)


class Room:
    """Its sources by (slot, kind), its publishers and its viewers' outlets."""

    def __init__(self, name: str, policy: RoomPolicy) -> None:
        self.name = name
        self.policy = policy
        self.sources: dict[tuple[str, str], Source] = {}
        self.publishers: dict[str, Peer] = {}
        self.viewers: dict[str, Peer] = {}
        self.keyframe_requests = 0

    def keyframe_requested(self) -> None:
        """Count a keyframe request one of the room's sources sent."""
        self.keyframe_requests += 1

    def rewire(self) -> None:
        """Point every outlet at the first of its wanted slots that has a source; in a call,
        at the n-th other publisher."""
        publishing = [p.slot for p in self.publishers.values()]
        for viewer in self.viewers.values():
            others = [slot for slot in publishing if slot != viewer.own_slot]
            for outlet in viewer.outlets:
                if outlet.position is not None:
                    wanted = others[outlet.position : outlet.position + 1]
                else:
                    wanted = outlet.slots
                chosen = None
                for slot in wanted:
                    chosen = self.sources.get((slot, outlet.kind))
                    if chosen is not None:
                        break
                outlet.follow(chosen)

    def status(self) -> RoomStatus:
        """What is live here, for the web process."""
        return RoomStatus(
            slots=sorted({slot for slot, _ in self.sources}),
            publishers={p.slot: p.label for p in self.publishers.values()},
            viewers=len(self.viewers),
            keyframe_requests=self.keyframe_requests,
            frames={f"{slot} {kind}": src.frames for (slot, kind), src in self.sources.items()},
        )


class Relay:
    """Every room and peer connection of this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rooms: dict[str, Room] = {}
        self.peers: dict[str, Peer] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        addresses = settings.relay_ice_addresses
        self.loopback = bool(addresses) and all(
            a.startswith("127.") or a == "::1" for a in addresses
        )

    def spawn(self, coro: Any) -> None:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _configuration(self) -> RTCConfiguration:
        servers = [RTCIceServer(urls=url) for url in self.settings.relay_ice_servers]
        return RTCConfiguration(iceServers=servers)

    def room(self, name: str, policy: RoomPolicy | None = None) -> Room:
        """The room of that name, made on first use; a publisher's call brings its policy."""
        room = self.rooms.get(name)
        if room is None:
            # A viewer may come first: nobody publishes until a publisher brings the policy.
            room = self.rooms[name] = Room(name, policy or RoomPolicy(max_publishers=1))
        elif policy is not None:
            room.policy = policy
        return room

    async def _open(self, room: Room, role: str, sdp: str, kind: str) -> Peer:
        problem = check_offer(
            sdp,
            kind,
            OfferLimits(
                self.settings.relay_max_sdp_bytes,
                self.settings.relay_max_sdp_section_bytes,
                self.settings.relay_max_sdp_sections,
            ),
        )
        if problem:
            raise RelayError(problem)
        if len(self.peers) >= self.settings.relay_max_peers:
            raise RelayError("the relay is full")
        if self.loopback:
            # A relay that offers only loopback talks only to loopback peers.
            sdp = loopback_only(sdp)
        pc = RTCPeerConnection(self._configuration())
        peer = Peer(id=secrets.token_urlsafe(12), room=room, pc=pc, role=role)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        except Exception as exc:
            await pc.close()
            raise RelayError(f"the offer cannot be used: {exc}") from exc
        for transceiver in pc.getTransceivers():
            wanted = self.settings.relay_video_codec if transceiver.kind == "video" else "opus"
            codecs = getattr(transceiver, "_codecs", None) or []
            if not codecs or codecs[0].name.lower() != wanted.lower():
                await pc.close()
                raise RelayError(f"the offer has no {wanted} for {transceiver.kind}")
        return peer

    async def _answer(self, peer: Peer) -> Answer:
        pc = peer.pc

        @pc.on("connectionstatechange")
        async def _changed() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self.close_peer(peer.id)

        try:
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            await self.close_peer(peer.id)
            raise RelayError(f"no answer to this offer: {exc}") from exc
        self.spawn(self._connect_deadline(peer))
        return Answer(id=peer.id, sdp=pc.localDescription.sdp, type=pc.localDescription.type)

    async def _connect_deadline(self, peer: Peer) -> None:
        await asyncio.sleep(self.settings.relay_connect_timeout_seconds)
        if peer.id in self.peers and peer.pc.connectionState != "connected":
            log.info("peer %s did not connect in time", peer.id)
            await self.close_peer(peer.id)

    def _forget_if_empty(self, room: Room) -> None:
        if not room.publishers and not room.viewers:
            self.rooms.pop(room.name, None)

    async def publish(self, call: PublishCall) -> Answer:
        """Take a publisher's offer for a slot (see `PublishCall`)."""
        room = self.room(call.room, call.policy)
        slot = call.slot
        try:
            if not call.replace and any(p.slot == slot for p in room.publishers.values()):
                raise SlotTaken("someone publishes in this slot")
            others = {p.slot for p in room.publishers.values()} - {slot}
            if len(others) >= room.policy.max_publishers:
                raise SlotTaken("the room is full")
            peer = await self._open(room, "publisher", call.sdp, call.type)
        except RelayError:
            # A refused call leaves no room behind.
            self._forget_if_empty(room)
            raise
        peer.slot, peer.label = slot, call.label
        for transceiver in peer.pc.getTransceivers():
            if not call.video and transceiver.kind != "audio":
                # Heard, not seen: its video goes nowhere (not even to the receiver's
                # decoder) and is not recorded.
                tap(transceiver.receiver, discard)
                continue
            source = Source(
                slot,
                transceiver.kind,
                transceiver.receiver,
                keyframe_seconds=self.settings.relay_keyframe_interval_seconds,
                video_bps=self.settings.relay_video_kbps * 1000,
                spawn=self.spawn,
                on_keyframe_request=room.keyframe_requested,
            )
            tap(transceiver.receiver, source.on_frame)
            peer.sources.append(source)
        folder = room.policy.recordings
        if folder is not None and call.record_as is not None:
            peer.recording = self._record(folder, call.record_as, peer.sources)
        self.peers[peer.id] = peer
        answer = await self._answer(peer)
        roomy_sockets(peer.pc, self.settings.relay_publisher_buffer_bytes)
        earlier = [p.id for p in room.publishers.values() if p.slot == slot]
        # In the room before the earlier publisher leaves, so the room is not dropped as empty.
        room.publishers[peer.id] = peer
        for peer_id in earlier:
            await self.close_peer(peer_id)
        for source in peer.sources:
            room.sources[(slot, source.kind)] = source
        room.rewire()
        return answer

    async def watch(self, call: WatchCall) -> Answer:
        """Take a viewer's offer (see `WatchCall`)."""
        room = self.room(call.room)
        try:
            peer = await self._open(room, "viewer", call.sdp, call.type)
        except RelayError:
            self._forget_if_empty(room)
            raise
        peer.own_slot = call.others_than
        peer.owner = call.owner
        wanted = {"video": list(call.video), "audio": list(call.audio)}
        seen = {"video": 0, "audio": 0}
        in_call = call.others_than is not None
        for transceiver in peer.pc.getTransceivers():
            choices = wanted[transceiver.kind]
            slots = choices.pop(0) if choices and not in_call else []
            position = seen[transceiver.kind] if in_call else None
            seen[transceiver.kind] += 1
            outlet = Outlet(
                transceiver.kind, slots, self.settings.relay_viewer_buffer_bytes, position
            )
            sender = peer.pc.addTrack(outlet)
            payload_type = transceiver._codecs[0].payloadType
            assert payload_type is not None
            outlet.attach(sender, payload_type, transceiver.mid, self.settings.relay_report_seconds)
            peer.outlets.append(outlet)
        self.peers[peer.id] = peer
        room.viewers[peer.id] = peer
        answer = await self._answer(peer)
        room.rewire()
        return answer

    def _record(self, folder: str, tag: str, sources: list[Source]) -> Recording:
        moment = recording_moment()
        # A publisher replaced within the same second must not write over the one before.
        taken = {p.recording.path for p in self.peers.values() if p.recording is not None}
        base = self.settings.data_dir / "recordings" / folder / recording_name(moment, tag)
        path = free_recording_path(base, taken)
        kinds = {source.kind for source in sources}
        video = next((source for source in sources if source.kind == "video"), None)
        recording = Recording(
            path,
            self.settings.relay_video_codec,
            kinds,
            video.request_keyframe if video is not None else None,
        )
        for source in sources:
            source.recorders.append(partial(recording.write, source.kind))
        return recording

    def choose_audio(self, call: AudioCall) -> None:
        """Switch a viewer's first audio track to other slots (an interpretation, the hall)."""
        peer = self.peers.get(call.id)
        if (
            peer is None
            or peer.role != "viewer"
            or peer.room.name != call.room
            or not secrets.compare_digest(peer.owner, call.owner)
        ):
            # Another room's or another person's viewer is not told apart from none.
            raise NotFound("no such viewer")
        for outlet in peer.outlets:
            if outlet.kind == "audio":
                outlet.slots = list(call.slots)
                break
        peer.room.rewire()

    async def stop_slot(self, room_name: str, slot: str) -> bool:
        """Close the publisher of a slot (the floor revoked); True when there was one."""
        room = self.rooms.get(room_name)
        if room is None:
            return False
        found = [p.id for p in room.publishers.values() if p.slot == slot]
        for peer_id in found:
            await self.close_peer(peer_id)
        return bool(found)

    async def close_peer(self, peer_id: str) -> None:
        """Forget a peer connection and close it; idempotent."""
        peer = self.peers.pop(peer_id, None)
        if peer is None:
            return
        room = peer.room
        room.publishers.pop(peer_id, None)
        room.viewers.pop(peer_id, None)
        for source in peer.sources:
            if room.sources.get((source.slot, source.kind)) is source:
                del room.sources[(source.slot, source.kind)]
            source.close()
        for outlet in peer.outlets:
            outlet.stop()
        if peer.recording is not None:
            try:
                peer.recording.close()
            except Exception:
                # The peer must still close; what reached the disk stays as a `.part`, which
                # the next relay to start finishes.
                log.exception("recording %s could not be finished", peer.recording.path.name)
        room.rewire()
        self._forget_if_empty(room)
        await peer.pc.close()

    def status(self) -> Status:
        """Rooms and peer counts."""
        return Status(
            peers=len(self.peers), rooms={name: room.status() for name, room in self.rooms.items()}
        )

    async def close(self) -> None:
        """Close every peer connection (at shutdown)."""
        for peer_id in list(self.peers):
            await self.close_peer(peer_id)
        for task in list(self._tasks):
            task.cancel()
