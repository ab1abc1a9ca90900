# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Realistic, deterministic records: the PBX's users and the phones it has detected on its networks.

Besides ordinary detected phones the data holds what admins clean up in practice: a phone seen again
after a factory reset or an IP change (same MAC, newer record) and junk relayed by an SBC (scanners
with no vendor, model or MAC).  An assigned phone's ``AssignedUser`` names one of the users.
"""

import datetime
import re
import unicodedata

# vendor: (MAC prefixes, [(model, template, firmware prefix)], user agent format)
VENDORS = {
    "Yealink": (
        ("805ec0", "249ad8", "44dbd2", "001565"),
        [("SIP-T46U", "yealink_t4x.ph.xml", "108.86"), ("SIP-T43U", "yealink_t4x.ph.xml", "108.86"),
         ("SIP-T54W", "yealink_t5x.ph.xml", "96.86"), ("SIP-T57W", "yealink_t5x.ph.xml", "97.86"),
         ("SIP-T33G", "yealink_t3x.ph.xml", "124.86"), ("SIP-T31P", "yealink_t3x.ph.xml", "124.86")],
        "Yealink {model} {firmware}",
    ),
    "Fanvil": (
        ("0c383e",),
        [("X4U", "fanvil_x.ph.xml", "2.12"), ("X6U", "fanvil_x.ph.xml", "2.12"), ("X3SG", "fanvil_x.ph.xml", "2.4")],
        "Fanvil {model} {firmware}",
    ),
    "Snom": (
        ("000413",),
        [("D735", "snom_d7xx.ph.xml", "10.1"), ("D785", "snom_d7xx.ph.xml", "10.1"),
         ("D717", "snom_d7xx.ph.xml", "10.1"), ("D865", "snom_d8xx.ph.xml", "10.1")],
        "snom{model}/{firmware}",
    ),
    "Grandstream": (
        ("000b82", "c074ad", "ec74d7"),
        [("GRP2612", "grandstream_grp.ph.xml", "1.0.9"), ("GRP2614", "grandstream_grp.ph.xml", "1.0.9"),
         ("GRP2616", "grandstream_grp.ph.xml", "1.0.9"), ("GXP2170", "grandstream_gxp.ph.xml", "1.0.11")],
        "Grandstream {model} {firmware}",
    ),
    "Poly": (
        ("64167f", "0004f2", "482567"),
        [("Edge E350", "poly_edge_e.ph.xml", "8.0.2"), ("Edge E450", "poly_edge_e.ph.xml", "8.0.2"),
         ("VVX 450", "polycom_vvx.ph.xml", "6.4.3")],
        "Poly{model_compact}-UA/{firmware}",
    ),
    "Cisco": (
        ("00eebd", "a4b439", "cc5a53"),
        [("CP-6851-3PCC", "cisco_mpp.ph.xml", "12.0.4"), ("CP-7841-3PCC", "cisco_mpp.ph.xml", "12.0.4"),
         ("CP-8851-3PCC", "cisco_mpp.ph.xml", "12.0.3")],
        "Cisco-{model}/{firmware}",
    ),
    "Htek": (
        ("001fc1",),
        [("UC912G", "htek_uc9xx.ph.xml", "2.42.6"), ("UC924E", "htek_uc9xx.ph.xml", "2.42.6"),
         ("UC926", "htek_uc9xx.ph.xml", "2.42.6")],
        "Htek {model} V{firmware}",
    ),
}

# Vendors weighted roughly by how often they turn up on 3CX sites.
VENDOR_WEIGHTS = {"Yealink": 40, "Fanvil": 15, "Snom": 12, "Grandstream": 12, "Poly": 8, "Cisco": 6, "Htek": 7}

# The seeded users as "Number FirstName LastName"; a shared extension has a first name only.
USERS = [
    "101 John Smith", "102 Maria Garcia", "103 Sean O'Brien", "104 Zoë Müller", "105 Li Wei", "106 Aisha Khan",
    "107 Pierre Dubois", "108 Anna Kowalska", "109 James Wilson", "110 Sofia Rossi", "111 Lars Nielsen",
    "112 Fatima Haddad", "113 Kenji Tanaka", "114 Emma Johnson", "115 Carlos Pérez", "116 Olga Ivanova",
    "120 Reception", "121 Sales Desk", "130 Warehouse", "140 Conference Room",
    "201 Priya Patel", "202 David Cohen", "203 Noah Brown", "204 Chloe Martin", "205 Mehmet Yılmaz",
]

SBC_SITES = {"Branch-Leeds": "10.20.30.", "SBC-Warehouse": "172.16.5.", "Remote-Lyon": "10.44.0."}
LAN_NETWORKS = ("192.168.1.", "192.168.10.", "10.0.10.")
SCANNER_AGENTS = ("friendly-scanner", "sipvicious", "sipcli/v1.8", "PortSIP VoIP SDK 11.2")

EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
SPAN_SECONDS = int((datetime.datetime(2026, 6, 30, tzinfo=datetime.timezone.utc) - EPOCH).total_seconds())


def iso_utc(moment):
    """ISO 8601 in UTC with a Z, as the spec's DetectedAt pattern allows."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def detection_times(rng, count):
    """``count`` ascending detection times between 2024 and mid-2026 (a higher Id was detected later)."""
    offsets = sorted(rng.choices(range(SPAN_SECONDS), k=count))
    return [iso_utc(EPOCH + datetime.timedelta(seconds=offset)) for offset in offsets]


def _join(separator, *parts):
    """The non-empty ``parts`` joined: a shared extension's empty last name leaves no trailing space."""
    return separator.join(part for part in parts if part)


def user_label(user):
    """How a DeviceInfo's ``AssignedUser`` names a user: "Number FirstName LastName" (3CX's best-known reading)."""
    return _join(" ", user["Number"], user["FirstName"], user["LastName"])


def _mailbox(name):
    """``name`` as ASCII letters and digits for an email address: "Zoë" -> "zoe", "O'Brien" -> "obrien", "Yılmaz" -> "yilmaz"."""
    folded = unicodedata.normalize("NFKD", name.replace("ı", "i")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def user(rng, number, first_name, last_name):
    """A user (extension) of the PBX: mailbox from the name; most have a mobile, from Ofcom's range for drama."""
    return {
        "Number": number,
        "FirstName": first_name,
        "LastName": last_name,
        "DisplayName": _join(" ", first_name, last_name),
        "EmailAddress": _join(".", _mailbox(first_name), _mailbox(last_name)) + "@example.com",
        "Mobile": f"+44 7700 900{rng.randrange(1000):03d}" if rng.random() < 0.6 else None,
        "Enabled": True,
        "IsRegistered": rng.random() < 0.7,
        "Require2FA": rng.random() < 0.3,
        "VMEnabled": True,
        "Language": "EN",
    }


def users(rng):
    """The users of ``USERS``, in order (without Id)."""
    seeded = []
    for entry in USERS:
        number, name = entry.split(" ", 1)
        first_name, last_name = name.partition(" ")[::2]
        seeded.append(user(rng, number, first_name, last_name))
    return seeded


def phone(rng, detected_at, labels):
    """A detected phone of a random vendor, assigned to one of the users ``labels`` name about half the time."""
    vendor = rng.choices(list(VENDOR_WEIGHTS), weights=list(VENDOR_WEIGHTS.values()))[0]
    prefixes, models, agent = VENDORS[vendor]
    model, template, firmware_prefix = rng.choice(models)
    firmware = f"{firmware_prefix}.{rng.randrange(0, 10)}.{rng.randrange(1, 99)}"
    via_sbc = rng.random() < 0.2
    sbc_name = rng.choice(sorted(SBC_SITES)) if via_sbc else None
    address = (SBC_SITES[sbc_name] if via_sbc else rng.choice(LAN_NETWORKS)) + str(rng.randrange(20, 250))
    assigned = rng.random() < 0.55 and bool(labels)
    return {
        "Assigned": assigned,
        "AssignedUser": rng.choice(labels) if assigned else None,
        "DetectedAt": detected_at,
        "FirmwareVersion": firmware,
        "InterfaceLink": f"http://{address}",
        "MAC": rng.choice(prefixes) + f"{rng.randrange(16 ** 6):06x}",
        "Model": model,
        "NetworkAddress": address,
        "NetworkPath": f"sbc://{sbc_name}" if via_sbc else "eth0",
        "Parameters": None,
        "SbcName": sbc_name,
        "TemplateName": template,
        "UserAgent": agent.format(model=model, model_compact=model.replace(" ", ""), firmware=firmware),
        "Vendor": vendor,
        "ViaSBC": via_sbc,
    }


def provisioning_template(record):
    """The template 3CX provisions a detected phone with: the one of its vendor's model, None for a model it does not know."""
    models = VENDORS.get(record.get("Vendor"), ((), (), ""))[1]
    return next((template for model, template, _firmware in models if model == record.get("Model")), None)


def scanner(rng, detected_at):
    """Junk an SBC relayed: a SIP scanner, no vendor, model, MAC or template."""
    sbc_name = rng.choice(sorted(SBC_SITES))
    address = f"{SBC_SITES[sbc_name]}{rng.randrange(20, 250)}"
    return {
        "Assigned": False, "AssignedUser": None, "DetectedAt": detected_at, "FirmwareVersion": None,
        "InterfaceLink": None, "MAC": None, "Model": None, "NetworkAddress": address,
        "NetworkPath": f"sbc://{sbc_name}", "Parameters": None, "SbcName": sbc_name, "TemplateName": None,
        "UserAgent": rng.choice(SCANNER_AGENTS), "Vendor": None, "ViaSBC": True,
    }


def rediscovered(rng, earlier, detected_at):
    """An earlier phone seen again after a factory reset or IP change: same MAC, new address, unassigned."""
    network = earlier["NetworkAddress"].rsplit(".", 1)[0]
    address = f"{network}.{rng.randrange(20, 250)}"
    return dict(earlier, Assigned=False, AssignedUser=None, DetectedAt=detected_at, NetworkAddress=address,
                InterfaceLink=f"http://{address}")


def device_infos(rng, count, labels):
    """``count`` records (without Id) in detection order; ``labels`` name the users phones may be assigned to."""
    records, phones = [], []
    for detected_at in detection_times(rng, count):
        roll = rng.random()
        if roll < 0.04:
            records.append(scanner(rng, detected_at))
            continue
        if roll < 0.12 and phones:
            record = rediscovered(rng, rng.choice(phones), detected_at)
        else:
            record = phone(rng, detected_at, labels)
        records.append(record)
        phones.append(record)
    return records
