"""Alembic environment: migrates the database of the current Flask app."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate = current_app.extensions["migrate"]
engine = migrate.db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def skip_empty_autogenerate(context, revision, directives):
    """Write no migration file when autogenerate finds nothing to change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def render_item(type_, obj, autogen_context):
    """Write the app's UTC column type as the plain DateTime it is in the database."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    """Emit the SQL for the migrations instead of running them."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=migrate.db.metadata,
        literal_binds=True,
        **migrate.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the app's database."""
    options = dict(migrate.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("render_item", render_item)
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            context.configure(connection=connection, target_metadata=migrate.db.metadata, **options)
            with context.begin_transaction():
                context.run_migrations()
            return
        # SQLite changes a table by copying it and dropping the old one; with its foreign
        # keys enforced, the drop would run every ON DELETE rule on the rows that point at
        # it. The pragma holds only outside a transaction. Each migration commits its own
        # changes on SQLite, so the check cannot undo one: it stops the run, loudly.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.commit()
        try:
            context.configure(connection=connection, target_metadata=migrate.db.metadata, **options)
            with context.begin_transaction():
                context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"a migration left a row its foreign key lost: {broken}")
        finally:
            connection.rollback()  # end the check's read, or a failed migration's work
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
