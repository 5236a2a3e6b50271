"""Class mode: rooms that a lecture hall joins by a short code, drawings answered live, the projector wall.

A room's state, drawings and events live in the database, so a student's request and the wall's event
stream may be served by different worker processes and still see one room.
"""
