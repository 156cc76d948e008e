"""The typed requests every client may send."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RequestId = Annotated[str, StringConstraints(min_length=1, max_length=64)] | int


class HubRequest(BaseModel):
    """A request from a client: a type, an id to answer, and its own fields (nothing else)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    id: RequestId


class Subscribe(HubRequest):
    """Follow a channel; `since`/`epoch` resume its chat."""

    channel: Annotated[str, StringConstraints(max_length=60)]
    since: int | None = Field(default=None, ge=0, le=2**53)
    epoch: Annotated[str, StringConstraints(max_length=32)] | None = None


class ChannelRequest(HubRequest):
    """A request about one channel."""

    channel: Annotated[str, StringConstraints(max_length=60)]
