from datetime import datetime

from ninja import Schema


class TokenIn(Schema):
    username: str
    password: str
    code: str = ""
    name: str = ""


class TokenOut(Schema):
    token: str
    prefix: str
    expires_at: datetime


class RoleOut(Schema):
    id: int
    user: str
    organization_id: int
    organization: str
    role: str
    sensitive_data: bool
    granted_at: datetime


class RoleIn(Schema):
    username: str
    organization_id: int
    role: str
    sensitive_data: bool = False


class MemberSummary(Schema):
    id: int
    full_name: str
    status: str
    organization_id: int
    organization: str


class MeOut(Schema):
    username: str
    name: str
    member: MemberSummary | None
    roles: list[RoleOut]
