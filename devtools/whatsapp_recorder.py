"""A local stand-in for the Graph API's WhatsApp endpoints, over real HTTP: `make run` and the
tests point WHATSAPP_API_BASE at it. It records every message the platform sends and serves the
media files a test or `make inbound` registered.

    POST /<phone number id>/messages   → recorded; {"messages": [{"id": "wamid.local-N"}]}
                                         (a recipient in `refused`: Graph's 400, code 131026)
    GET  /<media id>                   → {"url": "<base>/media-files/<media id>", "mime_type": ...}
    GET  /media-files/<media id>       → the bytes
    PUT  /media-files/<media id>       → registers a file (`make inbound CHANNEL=whatsapp IMAGE=...`)
    GET  /recorded                     → every recorded message, as JSON (what `make inbound` prints)
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Recorder:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.refused: set[str] = set()  # recipients (wa ids, no +) the API refuses for good
        self.failing = 0  # answer the next N sends with a 503 (a transient outage)
        self.tokens: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: the stack's own log says what was sent
                return

            def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                recorder.tokens.append(self.headers.get("Authorization", ""))
                if not self.path.endswith("/messages"):
                    return self._answer(404, {"error": {"code": 100, "message": "Unknown path"}})
                if recorder.failing:
                    recorder.failing -= 1
                    return self._answer(503, {"error": {"code": 2, "message": "Service temporarily unavailable"}})
                if body.get("to") in recorder.refused:
                    return self._answer(400, {"error": {"code": 131026, "message": "Message undeliverable"}})
                recorder.sent.append({"phone_number_id": self.path.strip("/").split("/")[0], **body})
                return self._answer(200, {"messaging_product": "whatsapp", "contacts": [{"wa_id": body.get("to")}],
                                          "messages": [{"id": f"wamid.local-{len(recorder.sent)}"}]})

            def do_PUT(self):  # noqa: N802 - `make inbound IMAGE=...` registers a photo to be fetched
                parts = self.path.strip("/").split("/")
                if len(parts) != 2 or parts[0] != "media-files":
                    return self._answer(404, {"error": {"code": 100, "message": "Unknown path"}})
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.media[parts[1]] = (data, self.headers.get("Content-Type") or "image/jpeg")
                return self._answer(201, {"id": parts[1]})

            def do_GET(self):  # noqa: N802
                parts = self.path.strip("/").split("/")
                if parts == ["recorded"]:
                    return self._answer(200, recorder.sent)
                if len(parts) == 2 and parts[0] == "media-files" and parts[1] in recorder.media:
                    data, mime = recorder.media[parts[1]]
                    return self._answer(200, data, mime)
                if len(parts) == 1 and parts[0] in recorder.media:
                    data, mime = recorder.media[parts[0]]
                    return self._answer(200, {"messaging_product": "whatsapp", "id": parts[0], "mime_type": mime,
                                              "file_size": len(data), "url": f"{recorder.url}/media-files/{parts[0]}"})
                return self._answer(404, {"error": {"code": 100, "message": "Unsupported get request"}})

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="whatsapp-recorder", daemon=True)

    def start(self) -> "Recorder":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def texts_to(self, wa_id: str) -> list[str]:
        """What one number got: a text's body, or a template's name and parameters."""
        out = []
        for m in self.sent:
            if m.get("to") != wa_id.lstrip("+"):
                continue
            if m.get("type") == "text":
                out.append(m["text"]["body"])
            else:
                params = [p["text"] for c in m["template"].get("components", []) for p in c.get("parameters", [])]
                out.append(f"template {m['template']['name']} {m['template']['language']['code']}: " + " | ".join(params))
        return out
