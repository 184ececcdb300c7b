"""The card's CO2 block from a codecarbon record."""

from simpipe.documents.co2 import co2_eq_emissions


def test_co2_block_like_the_seed_card():
    record = {
        "emissions": 0.00017,
        "energy_consumed": 0.00044,
        "duration": 10.8,
        "on_cloud": "N",
        "cpu_model": "13th Gen Intel(R) Core(TM) i7-13700K",
        "ram_total_size": 31.7,
        "gpu_model": "1 x NVIDIA GeForce RTX 3090",
    }
    block = co2_eq_emissions(record)
    assert block["emissions"] == 0.17  # grams
    assert block["hours_used"] == 0.003 and block["on_cloud"] is False
    assert block["hardware_used"] == "1 x NVIDIA GeForce RTX 3090" and block["source"] == "codecarbon"


def test_co2_block_without_gpu_has_no_hardware_used():
    record = {"emissions": 0.0, "energy_consumed": 0.0, "duration": 1.0, "gpu_model": ""}
    assert "hardware_used" not in co2_eq_emissions(record)


def test_co2_block_is_empty_without_a_measurement():
    assert co2_eq_emissions({"error": "RuntimeError: no counters"}) == {}
