"""`gen mcp` driven by the official Python MCP SDK (PyPI `mcp`, 2.x).

Run by `.ci/run` (which installs the package in a virtual environment):

    python tests/interop/python_client.py target/debug/gen

Everything runs offline against the built-in fake (genpro-mock). It checks:

1. stdio, the client's default negotiation: the default tools/list is small
   (<= 30 tools, <= 20 KB), every operation is reachable through the
   meta-tools, and the whole journey (setup -> publish) runs through the
   default set plus the meta-tools, a workflow tool reporting progress. The
   journey's transcript is printed.
2. Streamable HTTP with sessions (`mode="legacy"`, the initialize handshake):
   dynamic toolsets send notifications/tools/list_changed, and ending the
   session logs no warning (the client warns "Session termination failed"
   unless the DELETE is answered 200 or 204).
3. Streamable HTTP with the client's default negotiation.
4. MCP roots: an upload is read only under the roots the client offers.
"""

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client, StdioServerParameters, types

GEN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/gen")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GEN_")}


class Warnings(logging.Handler):
    """Every warning the SDK logs."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


WARNINGS = Warnings()
logging.getLogger().addHandler(WARNINGS)
logging.getLogger().setLevel(logging.INFO)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def data(result):
    """A tool result's structured content; fails on a tool error."""
    check(not result.is_error, f"tool error: {result}")
    return result.structured_content


def stdio(*args, cwd=None):
    return StdioServerParameters(command=GEN, args=["mcp", "--offline", *args], env=ENV, cwd=cwd)


def transcript(step, tool, arguments, answer):
    brief = json.dumps(answer, separators=(",", ":"))
    if len(brief) > 160:
        brief = brief[:157] + "..."
    print(f"  {step:<9} {tool:<24} {json.dumps(arguments, separators=(',', ':'))[:90]:<92} -> {brief}")


async def journey_over_stdio():
    print("1. stdio, default negotiation: default tools, meta-tools, the journey")
    async with Client(stdio()) as client:
        print(f"   protocol {client.protocol_version}, server {client.server_info.name if client.server_info else '?'}")
        listed = await client.list_tools()
        size = len(listed.model_dump_json(by_alias=True, exclude_none=True).encode())
        names = [t.name for t in listed.tools]
        print(f"   tools/list: {len(names)} tools, {size} bytes")
        check(len(names) <= 30, f"{len(names)} tools")
        check(size <= 20 * 1024, f"{size} bytes")
        for meta in ("search_operations", "describe_operation", "call_operation"):
            check(meta in names, f"{meta} not listed")

        async def call(step, tool, arguments, **kw):
            answer = data(await client.call_tool(tool, arguments, **kw))
            transcript(step, tool, arguments, answer)
            return answer

        # Every operation is reachable: search finds all of them.
        everything = data(await client.call_tool("search_operations", {"limit": 100}))
        check(everything["total"] >= 90, everything["total"])

        # 1 - setup
        me = await call("setup", "setup_get_me", {})
        check(me["status"] == 200, me)
        found = await call("setup", "search_operations", {"query": "agent core", "phase": "setup"})
        check("update_agent_core" in [o["operation_id"] for o in found["operations"]], found)
        described = await call("setup", "describe_operation", {"operation_id": "update_agent_core"})
        check(described["method"] == "PATCH" and "body" in described["input_schema"]["properties"], described)
        core = await call(
            "setup",
            "call_operation",
            {"operation_id": "update_agent_core", "arguments": {"agent_id": 42, "body": {"brand_name": "Santiago"}}},
        )
        check(core["status"] == 200, core)
        card = {"generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "kling_1_6", "aspect_ratio": "9:16", "duration": 5}}
        credit = await call("setup", "setup_credit_balance", {"organization_id": 1, "planned": [{"card": card, "count": 1}]})
        check(credit["estimated_cost"] > 0, credit)

        # 2 - ideas
        ideas = await call("ideas", "ideas_run_and_wait", {"agent_id": 42, "message": "Generate 3 content ideas", "max_wait_secs": 60})
        check(ideas["outcome"] == "completed", ideas)

        # 3 - vidsheet
        templates = await call("vidsheet", "vidsheet_list_templates", {})
        check(templates["status"] == 200, templates)
        cloned = await call("vidsheet", "vidsheet_clone_template", {"slug": "tiktok-talking-avatar", "body": {"agent_id": 42}})
        engine = cloned["body"]
        engine_id = engine["id"]
        read = await call("vidsheet", "vidsheet_get_engine", {"id": engine_id, "agent_id": 42})
        # The video column's first cell (the column whose role is "video").
        video_column = next(c["id"] for c in read["body"]["spreadsheet_columns"] if c.get("role") == "video")
        video_cell = next(c["id"] for c in read["body"]["spreadsheet_cells"] if c.get("column_id") == video_column)

        # 4 - edit: a row through call_operation, then generate with progress
        rows = await call("edit", "call_operation", {"operation_id": "list_rows", "arguments": {"id": engine_id, "agent_id": 42}})
        check(rows["status"] == 200, rows)
        progress = []

        async def on_progress(value, total, message):
            progress.append((value, total, message))

        generated = await call(
            "edit",
            "edit_generate_and_wait",
            {"agent_id": 42, "engine_id": engine_id, "cell_id": video_cell, "card": card, "max_wait_secs": 60},
            progress_callback=on_progress,
        )
        check(generated["outcome"] == "completed", generated)
        check(progress, "no progress notification")
        print(f"   progress: {len(progress)} notifications, first {progress[0]}")

        # 5 - publish
        rendered = await call("publish", "publish_render_and_wait", {"agent_id": 42, "engine_id": engine_id, "max_wait_secs": 60})
        check(rendered["outcome"] == "completed", rendered)
        published = await call(
            "publish",
            "publish_post_and_wait",
            {"agent_id": 42, "media_url": rendered["video_url"], "description": "The $2 taco at 2am", "max_wait_secs": 60},
        )
        check(published["outcome"] == "completed", published)

        # Resources and the prompt are offered.
        resources = await client.list_resources()
        check(any(str(r.uri) == "gen://operations" for r in resources.resources), resources)
        prompts = await client.list_prompts()
        check([p.name for p in prompts.prompts] == ["idea_to_published_video"], prompts)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_http(*args):
    port = free_port()
    child = subprocess.Popen(
        [GEN, "mcp", "--offline", "--http", f"127.0.0.1:{port}", *args],
        env=ENV,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            check(time.time() < deadline, "gen mcp --http did not start")
            time.sleep(0.05)
    return child, f"http://127.0.0.1:{port}/mcp"


async def http_sessions_and_dynamic_toolsets():
    print("2. Streamable HTTP with sessions (legacy handshake): dynamic toolsets, session end")
    child, url = start_http("--dynamic-toolsets")
    changed = []

    async def on_message(message):
        if isinstance(message, types.ToolListChangedNotification) or getattr(message, "method", None) == "notifications/tools/list_changed":
            changed.append(message)

    try:
        before = len(WARNINGS.records)
        async with Client(url, mode="legacy", message_handler=on_message) as client:
            print(f"   protocol {client.protocol_version}")
            names = [t.name for t in (await client.list_tools()).tools]
            check("enable_toolset" in names and "edit_get_row" not in names, names)
            enabled = data(await client.call_tool("enable_toolset", {"toolset": "edit"}))
            check("edit_get_row" in enabled["added"], enabled)
            deadline = time.time() + 5
            while not changed:
                check(time.time() < deadline, "no notifications/tools/list_changed")
                await asyncio.sleep(0.02)
            after = [t.name for t in (await client.list_tools()).tools]
            check("edit_get_row" in after, after)
            print(f"   enable_toolset edit: +{len(enabled['added'])} tools, list_changed received, {len(after)} listed")
            progress = []

            async def on_progress(value, total, message):
                progress.append(message)

            flow = data(await client.call_tool("ideas_run_and_wait", {"agent_id": 42, "message": "3 ideas", "max_wait_secs": 60}, progress_callback=on_progress))
            check(flow["outcome"] == "completed", flow)
            print(f"   ideas_run_and_wait over HTTP: {len(progress)} progress notifications")
        warnings = WARNINGS.records[before:]
        check(not [w for w in warnings if "Session termination failed" in w], warnings)
        print(f"   session ended: no warning ({len(warnings)} warnings logged)")
    finally:
        child.terminate()
        child.wait(10)


async def http_default_negotiation():
    print("3. Streamable HTTP, default negotiation")
    child, url = start_http()
    try:
        before = len(WARNINGS.records)
        async with Client(url) as client:
            print(f"   protocol {client.protocol_version}")
            names = [t.name for t in (await client.list_tools()).tools]
            check("call_operation" in names, names)
            me = data(await client.call_tool("call_operation", {"operation_id": "get_me"}))
            check(me["status"] == 200, me)
        warnings = [w for w in WARNINGS.records[before:] if "Session termination failed" in w]
        check(not warnings, warnings)
    finally:
        child.terminate()
        child.wait(10)


async def roots():
    print("4. MCP roots bound what edit_upload_file reads")
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as other:
        root = os.path.realpath(root)
        Path(root, "clip.mp4").write_bytes(b"\0" * 64)
        secret = Path(other, "id_ed25519")
        secret.write_bytes(b"PRIVATE")

        async def list_roots(context):
            return types.ListRootsResult(roots=[types.Root(uri=Path(root).as_uri())])

        async with Client(stdio(), mode="legacy", list_roots_callback=list_roots) as client:
            ok = data(await client.call_tool("edit_upload_file", {"agent_id": 42, "path": "clip.mp4"}))
            check(ok["content_resource"]["filename"] == "clip.mp4", ok)
            for path in (str(secret), f"{root}/../{Path(other).name}/id_ed25519"):
                refused = await client.call_tool("edit_upload_file", {"agent_id": 42, "path": path})
                check(refused.is_error, refused)
                check(refused.structured_content["error_code"] == "path_not_allowed", refused)
            print(f"   inside the root: uploaded; outside: refused ({refused.structured_content['error'][:80]}...)")


async def main():
    await journey_over_stdio()
    await http_sessions_and_dynamic_toolsets()
    await http_default_negotiation()
    await roots()
    print("python mcp client: all checks passed")


asyncio.run(main())
