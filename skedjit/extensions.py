"""Extension objects, constructed once and bound to an app in create_app(); no app code here."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraints have predictable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# After a commit, objects keep the values just written: a view answers from them without
# asking again, so a connection lost after the commit cannot turn a saved change into an
# error page. (A Core UPDATE, like the answers' lock, does not change loaded objects.)
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
