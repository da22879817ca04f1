"""The audit log's query arguments, as /openapi.json describes them."""
from datetime import date
from typing import Literal, Optional

from pydantic import Field

from server.audit.service import ACTIONS
from server.inputs import INT_MAX
from server.listing import PageQuery


class AuditQuery(PageQuery):
    action: Literal[ACTIONS] = Field(None, description="only this action")
    actor_id: int = Field(None, ge=0, le=INT_MAX, description="only this employee's actions")
    start: Optional[date] = None
    end: Optional[date] = None
    limit: int = Field(200, ge=1, le=1000, description="entries on this page")
    format: Literal["csv"] = Field(None, description="a CSV file instead of JSON")
