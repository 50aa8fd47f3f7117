"""Messages about what was sent in: files that are not text, links that cannot be fetched.

The `fetch.*` and `input.*` texts are clauses, without a final full stop: chat wraps them in
editor.post.fetch_error / editor.post.not_text, the CLI prints them after the source's name.
"""

from __future__ import annotations

_NOT_FETCHED = {
    "en": "; private and local addresses are not fetched unless listed in FETCH_ALLOW_HOSTS",
    "zh": "；除非列入 FETCH_ALLOW_HOSTS，否则不会抓取私有和本地地址",
}


def _refused(en: str, zh: str) -> dict[str, str]:
    return {"en": en + _NOT_FETCHED["en"], "zh": zh + _NOT_FETCHED["zh"]}


MESSAGES: dict[str, dict[str, str]] = {
    # --- documents that are not text ---
    "editor.post.not_text": {
        "en": (
            "“{name}” is not a text document: {why}. Send a .txt, .md or .html file saved as"
            " text. Nothing was stored."
        ),
        "zh": "“{name}” 不是文本文档：{why}。请发送以文本保存的 .txt、.md 或 .html 文件。未保存任何内容。",
    },
    "input.not_text.binary": {
        "en": "it holds binary data",
        "zh": "其中是二进制数据",
    },
    "input.not_text.binary_kind": {
        "en": "it holds binary data ({kind})",
        "zh": "其中是二进制数据（{kind}）",
    },
    "input.not_text.undecodable": {
        "en": "its bytes are not text in any encoding I can read (UTF-8, UTF-16, GB18030/GBK, …)",
        "zh": "无法以任何可识别的编码（UTF-8、UTF-16、GB18030/GBK 等）读取其内容",
    },
    # --- links ---
    "fetch.after_redirect": {
        "en": "after a redirect, {reason}",
        "zh": "重定向后，{reason}",
    },
    "fetch.invalid_url": {
        "en": "{url} is not a valid link",
        "zh": "{url} 不是有效的链接",
    },
    "fetch.refused.scheme": {
        "en": "{url} is not an http or https link",
        "zh": "{url} 不是 http 或 https 链接",
    },
    "fetch.refused.port": {
        "en": "{host} port {port} is not a web port; links may use 80, 443 or ports from 1024 up",
        "zh": "{host} 的端口 {port} 不是网页端口；链接只能使用 80、443 或 1024 以上的端口",
    },
    "fetch.refused.loopback": _refused(
        "{host} is this machine ({address})", "{host} 指向本机（{address}）"
    ),
    "fetch.refused.private": _refused(
        "{host} is on a private network ({address})", "{host} 位于私有网络（{address}）"
    ),
    "fetch.refused.link_local": _refused(
        "{host} is a link-local address ({address}), where cloud metadata services answer",
        "{host} 是链路本地地址（{address}），云服务器的元数据服务就在这里",
    ),
    "fetch.refused.multicast": _refused(
        "{host} is a multicast address ({address})", "{host} 是组播地址（{address}）"
    ),
    "fetch.refused.reserved": _refused(
        "{host} is a reserved address ({address})", "{host} 是保留地址（{address}）"
    ),
    "fetch.refused.unspecified": _refused(
        "{host} is the unspecified address ({address})", "{host} 是未指定地址（{address}）"
    ),
    "fetch.refused.not_public": _refused(
        "{host} is not a public address ({address})", "{host} 不是公网地址（{address}）"
    ),
    "fetch.redirect_loop": {
        "en": "{url} redirects in a loop",
        "zh": "{url} 的重定向形成了循环",
    },
    "fetch.too_many_redirects": {
        "en": "{url} redirects more than {limit} times",
        "zh": "{url} 重定向超过 {limit} 次",
    },
    "fetch.bad_redirect": {
        "en": "{url} redirects without a valid destination",
        "zh": "{url} 的重定向没有有效的目标地址",
    },
    "fetch.timeout": {
        "en": "{url} did not answer within {seconds} s",
        "zh": "{url} 在 {seconds} 秒内没有响应",
    },
    "fetch.no_such_host": {
        "en": "there is no host called {host}",
        "zh": "找不到主机 {host}",
    },
    "fetch.unreachable": {
        "en": "could not connect to {host}",
        "zh": "无法连接到 {host}",
    },
    "fetch.failed": {
        "en": "fetching from {host} failed ({detail})",
        "zh": "从 {host} 获取失败（{detail}）",
    },
    "fetch.http_status": {
        "en": "{url} answered HTTP {status} {reason}",
        "zh": "{url} 返回了 HTTP {status} {reason}",
    },
    "fetch.content_type": {
        "en": "{url} is {type}, not a web page or text; only HTML and plain text can be ingested",
        "zh": "{url} 的类型是 {type}，不是网页或文本；只能导入 HTML 和纯文本",
    },
    "fetch.too_big": {
        "en": "{url} is {size}, over the {limit} limit",
        "zh": "{url} 大小为 {size}，超过了 {limit} 的上限",
    },
    "fetch.larger_than": {
        "en": "{url} is larger than the {limit} limit",
        "zh": "{url} 超过了 {limit} 的上限",
    },
}
