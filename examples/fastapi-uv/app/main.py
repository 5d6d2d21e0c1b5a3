"""A small FastAPI service: an item lookup and a health check."""

from fastapi import FastAPI, HTTPException

app = FastAPI(title="fastapi-uv")

ITEMS = {1: "layer", 2: "cache", 3: "venv"}


@app.get("/")
def index() -> dict[str, str]:
    return {"message": "hello from fastapi-uv"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/items/{item_id}")
def item(item_id: int) -> dict[str, object]:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="no such item")
    return {"id": item_id, "name": ITEMS[item_id]}
