"""One API call as the handlers see it, independent of Starlette."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import URL


@dataclass
class Call:
    method: str
    path: str
    path_params: dict[str, str]
    query: dict[str, str]
    body: bytes
    url: URL
    form: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() == "true"

    def link(self, **params: Any) -> str:
        """This call's absolute URL with some query parameters replaced (next_link)."""
        return str(self.url.include_query_params(**params))
