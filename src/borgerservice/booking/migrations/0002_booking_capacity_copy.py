"""The copy ``booking.slot_capacity`` always equals ``slot.capacity`` (see models.py).

PostgreSQL: a composite foreign key (slot_id, slot_capacity) → slot (id, capacity) with
ON UPDATE CASCADE. SQLite cannot add a foreign key to an existing table, so triggers do
the same: refuse a booking whose copy differs and cascade a capacity change to the
bookings (where ``booking_seat_in_capacity`` then refuses a capacity below a taken seat).
"""

from django.db import migrations

PG_FORWARD = """
ALTER TABLE booking_booking ADD CONSTRAINT booking_capacity_matches_slot
    FOREIGN KEY (slot_id, slot_capacity) REFERENCES booking_slot (id, capacity)
    ON UPDATE CASCADE DEFERRABLE INITIALLY IMMEDIATE;
"""
PG_BACKWARD = "ALTER TABLE booking_booking DROP CONSTRAINT booking_capacity_matches_slot;"

SQLITE_FORWARD = [
    """
    CREATE TRIGGER booking_capacity_insert BEFORE INSERT ON booking_booking
    WHEN NEW.slot_capacity IS NOT (SELECT capacity FROM booking_slot WHERE id = NEW.slot_id)
    BEGIN SELECT RAISE(ABORT, 'booking_capacity_matches_slot'); END;
    """,
    """
    CREATE TRIGGER booking_capacity_update BEFORE UPDATE OF slot_id, slot_capacity
    ON booking_booking
    WHEN NEW.slot_capacity IS NOT (SELECT capacity FROM booking_slot WHERE id = NEW.slot_id)
    BEGIN SELECT RAISE(ABORT, 'booking_capacity_matches_slot'); END;
    """,
    """
    CREATE TRIGGER slot_capacity_cascade AFTER UPDATE OF capacity ON booking_slot
    WHEN NEW.capacity IS NOT OLD.capacity
    BEGIN
        UPDATE booking_booking SET slot_capacity = NEW.capacity WHERE slot_id = NEW.id;
    END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS booking_capacity_insert;",
    "DROP TRIGGER IF EXISTS booking_capacity_update;",
    "DROP TRIGGER IF EXISTS slot_capacity_cascade;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
