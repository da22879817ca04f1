"""Extensions, created unbound here and attached in create_app()."""
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from spectree import SpecTree

login_manager = LoginManager()
csrf = CSRFProtect()
spec = SpecTree("flask", title="一人一店 API", version="1", path="apidoc",
                annotations=False, mode="strict")


def doc(**kwargs):
    """Describe a route in /openapi.json; validation itself happens in the route, once."""
    return spec.validate(skip_validation=True, **kwargs)
