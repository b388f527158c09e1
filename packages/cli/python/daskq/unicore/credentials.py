"""Credentials for a UNICORE site, as pyunicore's (``UsernamePassword``, ``OIDCToken``)."""


class UsernamePassword:
    """HTTP Basic user and password."""

    def __init__(self, username, password):
        self.username = username
        self.password = password

    def daskq_options(self) -> dict:
        return {"username": self.username, "password": self.password}


class OIDCToken:
    """A bearer token."""

    def __init__(self, token, refresh_handler=None):
        self.token = token

    def daskq_options(self) -> dict:
        return {"token": self.token}
