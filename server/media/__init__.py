"""Live media as infrastructure: the relay process (`relay/`), its typed loopback protocol, the
web process's client, and the loop that tells the hub what is live.

Rooms are named like hub channels (`talk:12`, `booth:7`); what a room allows (how many publish,
whether it is recorded, which slots a viewer's tracks show) comes from the domain that owns it
with every call. Nothing here knows a talk or a booth.
"""
