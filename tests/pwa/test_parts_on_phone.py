"""Parts on the technician's phone: fitted by a typed or scanned serial,
removed, used without serial, offline first; the server holds each fitting
once, and a refusal comes back said in words."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import (
    Server,
    outbox_seq,
    sign_in,
    wait_for_worker,
    wait_saved,
    wait_synced,
)
from tests.pwa.test_field_work import open_order
from tests.pwa.test_repair_offline import go_offline, shoot, use_language

pytestmark = pytest.mark.browser

# Per language: locale, repair, its machine's serial, the new part.
RUNS = {
    "en": ("en-GB", "SO-2026-0203", "RI-40-2231", "EL-2026-0001", "Ignition electrode"),
    "fr": ("fr-FR", "SO-2026-0202", "GF-UPS-0932", "RT-2026-0002", "Rotor"),
}
REFUSED = {
    "en": "is this machine or holds it; fitting part {serial} was not applied.",
    "fr": "est cette machine ou la contient\u00a0; la pose de la pièce {serial} n'a pas",
}


def fit(page: Any, serial: str, name: str = "") -> None:
    before = outbox_seq(page)
    page.locator("#part-serial").fill(serial)
    page.locator("#part-name").fill(name)
    page.locator("form[data-submit=fit-part] button[type=submit]").click()
    wait_saved(page, before)


def use(page: Any, name: str, quantity: str) -> None:
    before = outbox_seq(page)
    page.locator("#part-used").fill(name)
    page.locator("#part-quantity").fill(quantity)
    page.locator("form[data-submit=use-part] button[type=submit]").click()
    wait_saved(page, before)


def fittings(server: Server, machine_serial: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The serials fitted in the machine now, and every use recorded."""
    office = server.session("manager@demo.test")
    try:
        data = office.pull_all()
    finally:
        office.close()
    equipment = data["equipment"]
    machine = next(i for i, e in equipment.items() if e["serial_number"] == machine_serial)
    fitted = [
        equipment[f["part_id"]]["serial_number"]
        for f in data.get("equipment_part", {}).values()
        if f["equipment_id"] == machine and f["removed_at"] is None
    ]
    return sorted(fitted), list(data.get("service_order_part", {}).values())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_parts_fitted_and_used_offline_reach_the_server_once(
    phone: Any, server: Server, language: str
) -> None:
    locale, number, machine, serial, name = RUNS[language]
    context = phone(locale=locale)
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    use_language(page, language)
    wait_for_worker(page)
    wait_synced(page)
    open_order(page, number)
    go_offline(page, context)

    # A serial known in another case is the known one; a machine never goes
    # inside itself.
    fit(page, serial, name)
    use(page, "Joint", "2")
    fit(page, machine.lower())
    page.locator(f".fitted-parts li[data-serial='{serial}']").wait_for()
    page.reload()
    page.locator(f".fitted-parts li[data-serial='{serial}'] .pending-mark").wait_for()
    assert page.locator(".part-uses > li").count() == 3

    page.unroute("**/api/**")
    context.set_offline(False)
    refused = page.locator(".part-uses li.part-refused")
    refused.wait_for(timeout=20000)
    # Sent, and the refusal kept for the technician to read.
    page.locator(".sync-line.sync-attention").wait_for()
    page.locator(".fitted-parts .pending-mark").wait_for(state="detached")
    page.evaluate("document.getElementById('parts').scrollIntoView()")
    shoot(page, language, "repair-parts")

    assert REFUSED[language].format(serial=machine) in refused.inner_text()
    assert page.locator(f".fitted-parts li[data-serial='{serial}']").count() == 1
    fitted, uses = fittings(server, machine)
    assert fitted == [serial]
    order = page.evaluate("location.hash.split('/').pop()")
    mine = [u for u in uses if u["service_order_id"] == order]
    assert sorted((u["action"], u["label"], u["quantity"]) for u in mine) == sorted(
        [("fit", name, 1), ("use", "Joint", 2)]
    )


def test_a_part_removed_on_a_visit_leaves_the_machine(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    wait_synced(page)
    open_order(page, "SO-2026-0101")
    page.locator(".fitted-parts li[data-serial='CB-5531']").wait_for()
    go_offline(page, context)

    before = outbox_seq(page)
    page.locator("button[data-action=remove-part][data-serial='CB-5531']").click()
    wait_saved(page, before)
    page.locator(".fitted-parts li[data-serial='CB-5531']").wait_for(state="detached")

    page.unroute("**/api/**")
    context.set_offline(False)
    wait_synced(page)
    fitted, uses = fittings(server, "VIT-7731-0042")
    assert fitted == ["BR-2291"]
    assert [u["action"] for u in uses if u["serial_number"] == "CB-5531"] == ["remove"]
    assert page.locator(".part-uses li", has_text="CB-5531").count() == 1


# A phone whose browser reads barcodes, its camera filming a label.
FAKE_SCANNER = """
window.BarcodeDetector = class {
  async detect() { return [{ rawValue: "SC-7788" }]; }
};
navigator.mediaDevices.getUserMedia = async () => {
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  return canvas.captureStream();
};
"""


def test_the_scan_button_shows_only_where_barcodes_are_read(phone: Any, server: Server) -> None:
    plain = phone().new_page()
    sign_in(plain, "tech1@demo.test")
    wait_synced(plain)
    open_order(plain, "SO-2026-0203")
    plain.locator("#part-serial").wait_for()
    if not plain.evaluate("'BarcodeDetector' in window"):
        assert plain.locator("button[data-action=scan-part]").count() == 0

    context = phone()
    context.add_init_script(FAKE_SCANNER)
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_synced(page)
    open_order(page, "SO-2026-0203")
    page.locator("button[data-action=scan-part]").click()
    page.locator("#part-serial[value='SC-7788']").wait_for()
    assert page.locator("dialog.scanner").count() == 0
    # The camera is given back once the serial is read.
    assert page.evaluate("document.activeElement.id") == "part-serial"


def test_a_part_without_serial_or_name_is_not_kept(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    wait_synced(page)
    open_order(page, "SO-2026-0203")
    before = outbox_seq(page)

    page.locator("#part-serial").fill("   ")
    page.locator("form[data-submit=fit-part] button[type=submit]").click()
    page.locator("#part-error", has_text="Type or scan the part's serial number.").wait_for()
    assert page.locator("#part-serial").get_attribute("aria-invalid") == "true"
    page.locator("#part-quantity").fill("0")
    page.locator("#part-used").fill("Joint")
    page.locator("form[data-submit=use-part] button[type=submit]").click()
    page.locator("form[data-submit=use-part] #part-error", has_text="from 1 to 1000").wait_for()
    assert page.locator("#part-used").get_attribute("aria-invalid") == "true"
    assert page.locator("#part-serial").get_attribute("aria-invalid") is None

    assert outbox_seq(page) == before
