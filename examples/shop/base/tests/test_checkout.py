from shop.services.checkout import total


def test_total_of_a_small_order():
    assert total(2.0, 10) == 20.0
