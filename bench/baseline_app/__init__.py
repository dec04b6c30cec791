"""The bench's baseline app: a bare Django view inserting one row, that bench/intake.py measures
Chancery's intake path against.

It is not part of the product: only the bench's settings module (``baseline_app.settings``,
with ``bench/`` on ``PYTHONPATH``) installs it, so no production database ever gets its table.
A database migrated before this app left ``src/chancery`` keeps a stray, unused
``benchmark_baselinerow`` table (and ``benchmark`` rows in ``django_migrations``); both can be
dropped: ``DROP TABLE benchmark_baselinerow; DELETE FROM django_migrations WHERE
app = 'benchmark';``.
"""
