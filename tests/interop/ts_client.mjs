// `gen mcp` driven by the official TypeScript MCP SDK (npm
// `@modelcontextprotocol/sdk`, pinned in package.json and package-lock.json).
//
// Run by `.ci/run` after `npm ci`:
//
//     node tests/interop/ts_client.mjs target/debug/gen
//
// Offline against the built-in fake (genpro-mock). Over stdio: the default
// tools/list is small, an operation outside it is found, described and
// called through the meta-tools, and a workflow tool reports progress. Over
// Streamable HTTP: dynamic toolsets send notifications/tools/list_changed,
// and the client ends its session with a DELETE the server accepts.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const GEN = path.resolve(process.argv[2] ?? "target/debug/gen");
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GEN_")));

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${typeof message === "string" ? message : JSON.stringify(message)}`);
}

function data(result) {
  check(!result.isError, result);
  return result.structuredContent;
}

async function stdio() {
  console.log("1. stdio: default tools, meta-tools, a workflow tool with progress");
  const client = new Client({ name: "genpro-interop", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: GEN, args: ["mcp", "--offline"], env, stderr: "ignore" }));
  const listed = await client.listTools();
  const bytes = Buffer.byteLength(JSON.stringify(listed));
  console.log(`   tools/list: ${listed.tools.length} tools, ${bytes} bytes`);
  check(listed.tools.length <= 30, `${listed.tools.length} tools`);
  check(bytes <= 20 * 1024, `${bytes} bytes`);

  const found = data(await client.callTool({ name: "search_operations", arguments: { query: "rows", phase: "edit" } }));
  const ids = found.operations.map((o) => o.operation_id);
  check(ids.includes("list_rows"), ids);
  const described = data(await client.callTool({ name: "describe_operation", arguments: { operation_id: "list_rows" } }));
  check(described.method === "GET" && described.input_schema.required.includes("id"), described);
  const cloned = data(await client.callTool({ name: "vidsheet_clone_template", arguments: { slug: "tiktok-talking-avatar", body: { agent_id: 42 } } }));
  const engine = cloned.body;
  const rows = data(await client.callTool({ name: "call_operation", arguments: { operation_id: "list_rows", arguments: { id: engine.id, agent_id: 42 } } }));
  check(rows.status === 200 && Array.isArray(rows.body), rows);
  console.log(`   call_operation list_rows: ${rows.body.length} rows of engine ${engine.id}`);

  const videoColumn = engine.spreadsheet_columns.find((c) => c.role === "video").id;
  const cell = engine.spreadsheet_cells.find((c) => c.column_id === videoColumn).id;
  const progress = [];
  const generated = data(
    await client.callTool(
      {
        name: "edit_generate_and_wait",
        arguments: {
          agent_id: 42, engine_id: engine.id, cell_id: cell, max_wait_secs: 60,
          card: { generation_type: "video_from_text", data: { prompt: "tacos", model: "kling_1_6", aspect_ratio: "9:16", duration: 5 } },
        },
      },
      undefined,
      { onprogress: (p) => progress.push(p) },
    ),
  );
  check(generated.outcome === "completed", generated);
  check(progress.length > 0, "no progress notification");
  console.log(`   edit_generate_and_wait: ${generated.outcome}, ${progress.length} progress notifications (${progress[0].message})`);
  await client.close();
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    check(Date.now() < deadline, "gen mcp --http did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function http() {
  console.log("2. Streamable HTTP: dynamic toolsets, session end");
  const port = await freePort();
  const child = spawn(GEN, ["mcp", "--offline", "--dynamic-toolsets", "--http", `127.0.0.1:${port}`], { env, stdio: "ignore" });
  try {
    await waitForPort(port);
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`));
    const client = new Client({ name: "genpro-interop", version: "1.0.0" });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed += 1; });
    await client.connect(transport);
    const before = (await client.listTools()).tools.map((t) => t.name);
    check(before.includes("enable_toolset") && !before.includes("publish_get_user_job"), before);
    const enabled = data(await client.callTool({ name: "enable_toolset", arguments: { toolset: "publish" } }));
    check(enabled.added.includes("publish_get_user_job"), enabled);
    const deadline = Date.now() + 5000;
    while (changed === 0) {
      check(Date.now() < deadline, "no notifications/tools/list_changed");
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = (await client.listTools()).tools.map((t) => t.name);
    check(after.includes("publish_get_user_job"), after);
    console.log(`   enable_toolset publish: +${enabled.added.length} tools, list_changed received`);
    check(transport.sessionId, "no session id");
    await transport.terminateSession(); // throws unless the DELETE is answered 2xx
    check(transport.sessionId === undefined, "session not ended");
    console.log("   session ended (DELETE accepted)");
    await client.close();
  } finally {
    child.kill();
  }
}

await stdio();
await http();
console.log("typescript mcp client: all checks passed");
