"""The appointment services of one app: the citizens' booking service and the staff desk.

Built once by the app's lifespan (:func:`api.services.build_services`) on the
knowledge base's database, with the contact protector the settings describe.
"""

from __future__ import annotations

from api.appointments.contact import ContactProtector
from api.appointments.errors import AppointmentError
from api.appointments.models import ensure_tables
from api.appointments.service import AppointmentService
from api.appointments.staff import AppointmentDesk
from api.config import AppSettings
from knowledge_base.errors import NotFoundError
from knowledge_base.service import KnowledgeBase


class Appointments:
    """The booking service and the staff desk of one app."""

    def __init__(self, kb: KnowledgeBase, settings: AppSettings) -> None:
        ensure_tables(kb.store.engine)
        protector = ContactProtector.from_settings(settings)
        self.kb = kb
        self.service = AppointmentService(kb.store.session, protector)
        self.desk = AppointmentDesk(kb.store.session, protector)

    def procedure_name(self, code: str) -> str:
        """The procedure's name; 404 if the catalog has no such code."""
        try:
            return self.kb.procedure(code).name
        except NotFoundError as error:
            raise AppointmentError(404, "unknown_procedure") from error
