"""Queries per aggregate, as functions over a session the caller opened (the services own transactions).

They take plain values (and flyteidl identifiers, already validated) and return rows or plain values; they know
no request message, no gRPC and no Flyte rule. Every List RPC pages through `store.listing.fetch_page`.
"""
