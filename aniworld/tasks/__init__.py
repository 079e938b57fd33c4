"""Background work: RQ jobs, the worker and scheduler processes, downloads, scans, monitoring.

This wing owns sessionmakers, commits, Redis and RQ; it calls services with a Session.
"""
