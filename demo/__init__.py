"""The demo data set: ``python manage.py seed_demo`` builds it from a seed.

``demo.spec`` decides what the data set contains (pure, no database), ``demo.load`` writes
it through the same service functions the portal and the officer workspace call.
"""
