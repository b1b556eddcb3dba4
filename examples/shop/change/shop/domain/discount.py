def bulk_discount(quantity, loyal=False):
    """Percent off for buying in bulk, and more for loyal customers."""
    if quantity >= 100:
        return 15 if loyal else 10
    return 5 if loyal else 0
