"""Registering Python-defined (flytekit) entities (`register`); every function there imports flytekit when called.

`packaging` archives an entity's source tree and versions it by its code; `serialize` turns flytekit entities into
the specs Flyte Admin registers.
"""
