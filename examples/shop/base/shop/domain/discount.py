def bulk_discount(quantity):
    """Percent off for buying in bulk."""
    if quantity >= 100:
        return 10
    return 0
