"""The Python MCP SDK client against a Latchkey workspace URL, in one era.

Usage: client_probe.py <MCP URL> <mode>, where mode is "legacy" (initialize, 2025-11-25),
"auto" (server/discover, then the newest revision both speak) or a revision to pin (2026-07-28).
Lists the tools, calls listItems and createItem, and calls the disabled getItem, then prints one
JSON line with what it saw, for test/integration/python-client.test.ts to check.
"""

import asyncio
import json
import sys

from mcp import Client


async def main(url: str, mode: str) -> None:
    seen: dict = {}
    async with Client(url, mode=mode) as client:
        seen["protocolVersion"] = client.protocol_version
        seen["tools"] = [tool.name for tool in (await client.list_tools()).tools]
        read = await client.call_tool("listItems", {"limit": 2})
        seen["readItems"] = len(json.loads(read.content[0].text)["items"])
        write = await client.call_tool("createItem", {"body": {"name": f"from-python-{mode}"}})
        seen["writeError"] = bool(write.is_error)
        try:
            disabled = await client.call_tool("getItem", {"id": "itm_0001"})
            seen["disabled"] = " ".join(getattr(c, "text", "") for c in disabled.content)
        except Exception as err:  # the SDK raises an McpError for a JSON-RPC error
            seen["disabled"] = str(err)
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
