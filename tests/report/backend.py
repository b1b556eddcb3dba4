"""A layered backend fixture for `qualitygate report`, with its figures worked out by hand.

Every file is small enough that its statements and the lines each test runs
can be counted by eye; the comments give the counts the tests assert.
"""

from __future__ import annotations

CONFIG = """
[tool.qualitygate]
source = ["app", "workers"]
tests = ["tests"]

[tool.qualitygate.layers.repositories]
paths = ["app/db/repositories/**"]
min_coverage = 70
min_tested_files = 50

[tool.qualitygate.layers.services]
paths = ["app/services/**"]
min_coverage = 60
min_tested_files = 60

[tool.qualitygate.layers.events]
paths = ["app/events/**"]
min_tested_files = 50

[tool.qualitygate.layers.middleware]
paths = ["app/middleware/**"]

[tool.qualitygate.layers.workers]
paths = ["workers/**"]
min_coverage = 50

[tool.qualitygate.priority]
critical_layers = ["repositories"]
important_layers = ["services"]
large_module = 4

[tool.pytest.ini_options]
pythonpath = ["."]
"""

FILES = {
    "pyproject.toml": CONFIG,
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/repositories/__init__.py": "",
    "app/services/__init__.py": "",
    "app/events/__init__.py": "",
    "app/middleware/__init__.py": "",
    "workers/__init__.py": "",
    # 11 statements; import time runs 1,3,4,7,11,14; the test runs 5,8,9,12.
    "app/db/repositories/user_repository.py": """
        from app.events.user_events import UserCreated

        class UserRepository:
            def __init__(self):
                self.rows = {}

            def add(self, uid, name):
                self.rows[uid] = name
                return UserCreated.kind

            def get(self, uid):
                return self.rows.get(uid)

            def count(self):
                return len(self.rows)
        """,
    # 10 statements, never imported; 6 statements inside functions.
    "app/db/repositories/order_repository.py": """
        class OrderRepository:
            def __init__(self):
                self.orders = []

            def place(self, order):
                if not order:
                    raise ValueError("empty")
                self.orders.append(order)
                return len(self.orders)

            def total(self):
                return sum(o["amount"] for o in self.orders)
        """,
    # 2 statements; a test imports it and runs nothing of it.
    "app/db/repositories/audit_repository.py": """
        def record(entry):
            return [entry]
        """,
    # 6 statements; tests run 2, 5, 7 (not 6).
    "app/services/billing.py": """
        def total(items):
            return sum(items)

        def discount(amount, pct):
            if pct > 50:
                raise ValueError("too much")
            return amount * (100 - pct) / 100
        """,
    # 5 statements, never imported.
    "app/services/notify.py": """
        def send(user, message):
            if not user:
                return False
            text = message.strip()
            return bool(text)
        """,
    # Classes only: 4 statements, all run when a test imports it.
    "app/events/order_events.py": """
        class OrderPlaced:
            kind = "order.placed"

        class OrderCancelled:
            kind = "order.cancelled"
        """,
    # Classes only: 100% line coverage through user_repository, yet no test imports it.
    "app/events/user_events.py": """
        class UserCreated:
            kind = "user.created"

        class UserDeleted:
            kind = "user.deleted"
        """,
    # 2 statements; the test runs line 2.
    "app/middleware/cache.py": """
        def cached(key, store):
            return store.get(key)
        """,
    "app/middleware/limits.py": """
        def allow(count, limit):
            return count < limit
        """,
    # 5 statements, imported inside a test: all 5 run under the test's context.
    "workers/run_worker.py": """
        def main(jobs):
            done = 0
            for job in jobs:
                done += job
            return done
        """,
    "workers/dlq.py": """
        def drain(queue):
            return list(queue)
        """,
    "tests/db/repositories/test_user_repository.py": """
        from app.db.repositories.user_repository import UserRepository

        def test_add_and_get():
            repo = UserRepository()
            repo.add(1, "ann")
            assert repo.get(1) == "ann"
        """,
    "tests/db/repositories/test_audit_import.py": """
        from app.db.repositories import audit_repository

        def test_module_loads():
            assert audit_repository.__name__.endswith("audit_repository")
        """,
    "tests/services/test_billing.py": """
        from app.services.billing import discount, total

        def test_total():
            assert total([1, 2]) == 3

        def test_discount():
            assert discount(100, 10) == 90
        """,
    "tests/events/test_order_events.py": """
        from app.events.order_events import OrderPlaced

        def test_kind():
            assert OrderPlaced.kind == "order.placed"
        """,
    "tests/middleware/test_cache.py": """
        from app.middleware import cache

        def test_cached():
            assert cache.cached("k", {"k": 1}) == 1
        """,
    "tests/workers/test_run_worker.py": """
        import importlib

        def test_main():
            worker = importlib.import_module("workers.run_worker")
            assert worker.main([1, 2]) == 3
        """,
}
