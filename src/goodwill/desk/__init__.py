"""The care desk's library: accounts, cases, the inbox, casework and the audit log.

The web app (goodwill.web) and the CLI are thin faces over these functions; every
write goes through one store transaction that also appends to the audit log.
"""
