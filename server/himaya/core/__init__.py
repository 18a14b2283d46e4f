"""The matching core: pure Python, no Flask, SQL or CLI imports (a test keeps it so)."""
