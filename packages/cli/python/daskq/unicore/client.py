"""A UNICORE site, as pyunicore's ``Client(credential, base_url)``: only what UNICORECluster needs."""


class Client:
    """The site's base URL (``https://host:8080/SITE/rest/core``) and the credential to use."""

    def __init__(self, credential, site_url):
        self.credential = credential
        self.resource_url = site_url
