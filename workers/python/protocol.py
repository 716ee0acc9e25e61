"""What the worker's modules share about requests (workers/README.md)."""


class ProtocolError(Exception):
    """The request is not JSON, lacks a field, or asks for something that does not exist.

    Named as in the Node worker. A failed `export` for this reason has stage `request`.
    """


def required(request: dict, field: str):
    if field not in request:
        raise ProtocolError(f"request has no '{field}'")
    return request[field]
