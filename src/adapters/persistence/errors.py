"""Where database errors become domain errors, at the adapter's boundary.

Only the driver's own message is read (never the SQL text, which names every
column): a foreign key failure is Conflict(code="missing_reference"), a clash on
the users' email index is Conflict(code="email_taken"), a second live upscale of
one variant Conflict(code="upscale_already_queued"), and any other clash is
Conflict(code="<entity>_exists"). After such an error the unit of work must be
rolled back before it is used again.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from advanced_alchemy import exceptions as aa_errors
from sqlalchemy import exc as sa_errors

from domain.errors import Conflict


def _driver_message(error: BaseException) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, sa_errors.DBAPIError):
            return str(cause.orig)
        cause = cause.__cause__
    return str(error)


def conflict_from(error: BaseException, entity: str) -> Conflict:
    """The domain Conflict that an integrity error of `entity` stands for."""
    message = _driver_message(error).lower()
    if isinstance(error, aa_errors.ForeignKeyError) or "foreign key" in message:
        return Conflict(
            f"The {entity} refers to something that does not exist.", code="missing_reference"
        )
    if "email" in message:
        return Conflict("The email is already registered.", code="email_taken")
    if "variant_index" in message or "uq_upscale_jobs_active_variant" in message:
        return Conflict("The variant's upscale is already queued.", code="upscale_already_queued")
    return Conflict(f"The {entity} already exists.", code=f"{entity}_exists")


@contextmanager
def integrity_as_conflict(entity: str) -> Iterator[None]:
    """Raise integrity errors met inside the block as domain Conflicts."""
    try:
        yield
    except (aa_errors.IntegrityError, sa_errors.IntegrityError) as error:
        raise conflict_from(error, entity) from error
