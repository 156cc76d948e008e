"""The media relay: forwards each publisher's encoded frames to every viewer, in its own process.

No decoder and no encoder on the forwarding path. aiortc (pinned exactly) reassembles each
publisher's frames in its receiver and would hand them to a decoder thread: `hooks.tap` puts a
stand-in where that thread reads, so complete encoded frames reach a `forward.Source` instead.
Each viewer's `forward.Outlet` writes those frames, packetized once, straight to its socket
(`srtp.Wire`). A viewer that joins or falls behind waits for a keyframe, and the relay asks the
publisher for one, at most every `relay_keyframe_interval_seconds`.

The web process authorises people and talks to this process over loopback HTTP (`app`) with a
token derived from the secret key, in the models of `server.media.protocol`. Rooms know no talk
or booth: what a room allows comes with each call. This package is the only importer of aiortc.
"""
