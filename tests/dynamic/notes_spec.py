"""The notes API's description (OpenAPI 3.1: type lists, $ref, examples, security)."""

from __future__ import annotations

from typing import Any

_NOTE_ID = {"name": "note_id", "in": "path", "required": True, "schema": {"type": "string"}}
_JSON = "application/json"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "notes", "version": "1"},
    "security": [{"apiKey": []}],
    "components": {
        "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "schemas": {
            "NoteIn": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "maxLength": 500},
                    "title": {"type": ["string", "null"], "maxLength": 50},
                },
            },
            "Note": {
                "allOf": [
                    {"$ref": "#/components/schemas/NoteIn"},
                    {
                        "type": "object",
                        "properties": {"note_id": {"type": "string"}, "likes": {"type": "integer"}},
                    },
                ]
            },
        },
    },
    "paths": {
        "/login": {
            "post": {
                "security": [],
                "requestBody": {
                    "content": {
                        _JSON: {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "user": {"type": "string"},
                                    "pass": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "token"}},
            }
        },
        "/notes": {
            "get": {"responses": {"200": {"description": "own notes"}}},
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        _JSON: {
                            "schema": {"$ref": "#/components/schemas/NoteIn"},
                            "example": {"text": "hello"},
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Note"}}},
                    }
                },
            },
        },
        "/notes/{note_id}": {
            "parameters": [_NOTE_ID],
            "get": {"responses": {"200": {"description": "a note"}}},
            "patch": {
                "requestBody": {
                    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/NoteIn"}}}
                },
                "responses": {"200": {"description": "updated"}},
            },
            "delete": {"responses": {"204": {"description": "deleted"}}},
        },
        "/notes/{note_id}/like": {
            "parameters": [_NOTE_ID],
            "post": {"responses": {"200": {"description": "liked"}}},
        },
        "/admin/notes": {
            "get": {"tags": ["admin"], "responses": {"200": {"description": "every note"}}}
        },
    },
}
