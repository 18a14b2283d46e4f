"""How a rule list is named to people, the same words everywhere (`himaya status`,
`himaya rules validate`, `himaya scan`, `/api/v1/status` and the extension's popup).

    >>> label({"list_id": "himaya-default", "version": 6, "created": "2026-11-29T12:24:08Z"})
    'himaya-default version 6 of 2026-11-29'
    >>> label(None, "sha256:1625aa774afeec19")
    'unpublished folder (sha256:1625aa774afeec19)'
"""

from __future__ import annotations


def label(info: dict | None, content_version: str | None = None) -> str:
    if info and info.get("version") is not None:
        return f"{info.get('list_id') or 'list'} version {info['version']} of {str(info.get('created') or '')[:10]}"
    return f"unpublished folder ({content_version})" if content_version else "unpublished folder"
