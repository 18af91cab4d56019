"""People and access: logins (some failing), user and group changes, tokens and global init scripts,
in each workspace and, for the account console, at the account level (delivered under workspaceId=0).

Login times and token ids are drawn from the workspace's generator in the order they always were;
everything else comes from a generator of its own, so this activity leaves the clusters' and jobs'
draws unchanged. No token value is ever produced: the token APIs return none, and neither does this.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from overwatch.sample_workspace.api_store import ApiStore
from overwatch.sample_workspace.audit_log import BROWSER_USER_AGENT, SDK_USER_AGENT, AuditLogWriter
from overwatch.sample_workspace.workspace_objects import User

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
# Browser logins through single sign-on, by cloud; PAT logins are `tokenLogin` everywhere.
SSO_LOGIN_BY_CLOUD = {"aws": "samlLogin", "azure": "aadBrowserLogin", "gcp": "oidcBrowserLogin"}
# One login attempt in this many fails (wrong password, expired or revoked token).
FAILED_LOGIN_ONE_IN = 12
OFFICE_NETWORK = "203.0.113"
HOME_NETWORK = "198.51.100"
ADMINS_GROUP = "admins"
TEAM_GROUP = "data-engineers"
GLOBAL_INIT_SCRIPTS = (
    ("install-monitoring-agent", True),
    ("set-proxy", True),
    ("legacy-python-packages", False),
)


class AccountActivity:
    """One workspace's logins and account administration, day by day."""

    def __init__(
        self,
        audit: AuditLogWriter,
        workspace_generator: random.Random,
        generator: random.Random,
        users: Sequence[User],
        cloud: str,
    ) -> None:
        self.audit = audit
        self.timing = workspace_generator
        self.random = generator
        self.users = list(users)
        self.sso_login = SSO_LOGIN_BY_CLOUD[cloud]
        self.failed_logins = 0

    @property
    def admin(self) -> User:
        return self.users[0]

    @property
    def newcomer(self) -> User:
        return self.users[-1]

    def simulate_day(self, day: int, day_start: int) -> None:
        for index, user in enumerate(self.users):
            login_at = day_start + 7 * HOUR_MS + self.timing.randint(0, 120 * MINUTE_MS)
            # The newcomer mistypes a password on the first day, so every sample has a failed login.
            mistyped = day == 0 and user == self.newcomer
            self._browser_login(login_at, user, index, mistyped)
            if index % 3 == 0:
                self._token_login(login_at + self.timing.randint(10, 300) * MINUTE_MS, user)
        self._administration(day, day_start + 10 * HOUR_MS)

    def _source_ip(self, index: int) -> str:
        network = OFFICE_NETWORK if self.random.random() < 0.7 else HOME_NETWORK
        return f"{network}.{10 + index % 200}"

    def _browser_login(self, at_ms: int, user: User, index: int, mistyped: bool) -> None:
        source_ip = self._source_ip(index)
        action = "login" if index % 4 == 1 else self.sso_login
        if self.random.randrange(FAILED_LOGIN_ONE_IN) == 0 or mistyped:
            self.failed_logins += 1
            self.audit.emit(
                at_ms,
                "accounts",
                action,
                user.email,
                {"user": user.email},
                source_ip=source_ip,
                status_code=401,
                error_message="Invalid credentials",
            )
            at_ms += self.random.randint(1, 3) * MINUTE_MS
        self.audit.emit(at_ms, "accounts", action, user.email, {"user": user.email}, source_ip=source_ip)

    def _token_login(self, at_ms: int, user: User) -> None:
        params = {"tokenId": f"{self.timing.getrandbits(160):040x}", "user": user.email}
        failed = self.random.randrange(FAILED_LOGIN_ONE_IN) == 0
        self.failed_logins += failed
        self.audit.emit(
            at_ms,
            "accounts",
            "tokenLogin",
            user.email,
            params,
            user_agent=SDK_USER_AGENT,
            source_ip=f"10.20.{self.users.index(user) % 250}.7",
            status_code=403 if failed else 200,
            error_message="Token is expired" if failed else None,
        )

    def _administration(self, day: int, at_ms: int) -> None:
        admin, newcomer = self.admin.email, self.newcomer
        console = {"endpoint": "adminConsole"}
        if day == 0:
            self._emit(at_ms, "add", admin, {"targetUserName": newcomer.email, **console})
            group = {"targetGroupName": TEAM_GROUP, "targetGroupId": "ws-group-1001", **console}
            self._emit(at_ms + 30_000, "createGroup", admin, group)
        membership = {
            "targetGroupName": TEAM_GROUP,
            "targetUserName": newcomer.email,
            "targetUserId": str(newcomer.user_id),
            **console,
        }
        action = "addPrincipalToGroup" if day % 2 == 0 else "removePrincipalFromGroup"
        self._emit(at_ms + MINUTE_MS, action, admin, membership)
        if day == 1 and len(self.users) > 1:
            promoted = self.users[1]
            grant = {
                "targetUserName": promoted.email,
                "targetUserId": str(promoted.user_id),
                "targetGroupName": ADMINS_GROUP,
                **console,
            }
            self._emit(at_ms + 2 * MINUTE_MS, "setAdmin", admin, grant)
            self._emit(at_ms + 3 * HOUR_MS, "removeAdmin", admin, grant)
            # A non-admin trying to grant admin rights is refused.
            self.audit.emit(
                at_ms + 4 * HOUR_MS,
                "accounts",
                "setAdmin",
                newcomer.email,
                {**grant, "targetUserName": newcomer.email, "targetUserId": str(newcomer.user_id)},
                status_code=403,
                error_message="Only workspace admins can grant admin rights",
            )

    def _emit(self, at_ms: int, action: str, actor: str, params: dict[str, str]) -> None:
        self.audit.emit(at_ms, "accounts", action, actor, params, user_agent=BROWSER_USER_AGENT)


ACCOUNT_GROUP = "account-analysts"


class AccountLevelActivity:
    """The account console's events, filed under workspace id 0: the account admin signs in each day,
    creates an account group and fills it on the first day, and grants then revokes account admin
    rights on the second; an automation service principal signs in with a token every day."""

    def __init__(self, audit: AuditLogWriter, generator: random.Random, users: Sequence[User]) -> None:
        self.audit = audit
        self.random = generator
        self.users = list(users)

    def simulate_day(self, day: int, day_start: int) -> None:
        admin = self.users[0]
        console = {"endpoint": "accountConsole"}
        at_ms = day_start + 8 * HOUR_MS + self.random.randint(0, 60) * MINUTE_MS
        self.audit.emit(at_ms, "accounts", "samlLogin", admin.email, {"user": admin.email})
        if day == 0:
            group = {"targetGroupName": ACCOUNT_GROUP, "targetGroupId": "account-group-2001", **console}
            self.audit.emit(at_ms + MINUTE_MS, "accounts", "createGroup", admin.email, group)
            newcomer = self.users[-1]
            members = {**group, "targetUserName": newcomer.email, "targetUserId": str(newcomer.user_id)}
            self.audit.emit(at_ms + 2 * MINUTE_MS, "accounts", "addPrincipalsToGroup", admin.email, members)
        if day == 1 and len(self.users) > 1:
            deputy = self.users[1]
            grant = {"targetUserName": deputy.email, "targetUserId": str(deputy.user_id), **console}
            self.audit.emit(at_ms + 5 * MINUTE_MS, "accounts", "setAccountAdmin", admin.email, grant)
            self.audit.emit(at_ms + 2 * HOUR_MS, "accounts", "removeAccountAdmin", admin.email, grant)
        token_at = day_start + 2 * HOUR_MS + self.random.randint(0, 30) * MINUTE_MS
        automation = {"user": "account-automation", "authenticationMethod": "PAT"}
        self.audit.emit(
            token_at, "accounts", "tokenLogin", "account-automation", automation, user_agent=SDK_USER_AGENT
        )
        self.audit.emit(at_ms + 8 * HOUR_MS, "accounts", "logout", admin.email, {"user": admin.email})


def store_tokens(
    store: ApiStore, generator: random.Random, users: Sequence[User], start_ms: int, horizon_ms: int
) -> int:
    """Personal access tokens as `GET /api/2.0/token-management/tokens` lists them: metadata only."""
    count = 0
    for index, user in enumerate(users):
        if index % 3:
            continue
        created = start_ms - generator.randint(5, 200) * DAY_MS
        # Some tokens never expire: the inventory exists to find those.
        expiry = -1 if index % 2 else created + 90 * DAY_MS
        token = {
            "token_id": f"{generator.getrandbits(256):064x}",
            "creation_time": created,
            "expiry_time": expiry,
            "comment": "sdk automation" if index % 2 else "notebook scheduling",
            "created_by_id": user.user_id,
            "created_by_username": user.email,
            "owner_id": user.user_id,
        }
        store.add_token(token, created)
        count += 1
    if users:
        created = start_ms + generator.randint(1, max(1, (horizon_ms - start_ms) // DAY_MS - 1)) * DAY_MS
        token = {
            "token_id": f"{generator.getrandbits(256):064x}",
            "creation_time": created,
            "expiry_time": created + 30 * DAY_MS,
            "comment": "ci pipeline",
            "created_by_id": users[0].user_id,
            "created_by_username": users[0].email,
            "owner_id": users[0].user_id,
        }
        store.add_token(token, created)
        count += 1
    return count


def store_global_init_scripts(store: ApiStore, generator: random.Random, admin: User, start_ms: int) -> int:
    """Global init scripts as `GET /api/2.0/global-init-scripts` lists them (the list carries no body)."""
    for position, (name, enabled) in enumerate(GLOBAL_INIT_SCRIPTS):
        created = start_ms - generator.randint(30, 400) * DAY_MS
        updated = created + generator.randint(0, 20) * DAY_MS
        script = {
            "script_id": f"{generator.getrandbits(64):016X}",
            "name": name,
            "position": position,
            "enabled": enabled,
            "created_by": admin.email,
            "created_at": created,
            "updated_by": admin.email,
            "updated_at": updated,
        }
        store.add_global_init_script(script, created)
    return len(GLOBAL_INIT_SCRIPTS)
