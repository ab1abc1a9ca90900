# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Realistic, deterministic records: the PBX's users, its departments and the phones it has detected on its networks.

Besides ordinary detected phones the data holds what admins clean up in practice: a phone seen again
after a factory reset or an IP change (same MAC, newer record) and junk relayed by an SBC (scanners
with no vendor, model or MAC).  An assigned phone's ``AssignedUser`` names one of the users.

What the PBX fills in for a new user or department follows ENTITIES.md (the admin console's default body, a
department read back from a live PBX) where it tells, and is a plain, fixed value where it does not; never random
schema values.  A user's secrets are random (from the simulator's seed), as a PBX generates them.
"""

import datetime
import re
import string
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

# The seeded departments, in the order of their Ids: (name, number, language, time zone id, members).  The first is the
# default department.  Members are "number" or "number:role" (the role is "users" where none is given); a user's primary
# department is the first that lists it.  Sales also holds a queue and a parking (see directory).
DEPARTMENTS = [
    ("DEFAULT", "GRP0000", "EN", "51", "120:receptionists 130 140 101:system_owners"),
    ("Sales", "GRP1", "EN", "51", "102:managers 103 109 110 121 201 202"),
    ("Support", "GRP2", "EN", "51", "104:managers 105 106 111 112 113 203 102"),
    ("Accounts", "GRP3", "DE", "51", "107:group_admins 108 114 115 116 204 205 101:managers"),
]
ROLES = ("system_owners", "system_admins", "group_owners", "managers", "group_admins", "receptionists", "users")
FAVOURITES_PREFIX = "___FAVORITES___"
# A user's properties that hold credentials (ENTITIES.md §14); the PBX makes each up for a new user.
USER_SECRETS = ("AccessPassword", "AuthID", "AuthPassword", "DeskphonePassword", "SIPID", "VMPIN")
PROMPT_SET = "0f3a9c4e-6b1d-4e8a-9c2f-5d7e1a3b8c60"  # the PBX's factory prompt set, named by every new user and department
_RIGHTS = ("AllowIVR", "AllowParking", "AllowToChangePresence", "AllowToManageCompanyBook", "AssignClearOperations", "CanBargeIn",
           "CanIntercom", "CanSeeGroupCalls", "CanSeeGroupMembers", "CanSeeGroupRecordings", "PerformOperations", "ShowMyCalls",
           "ShowMyPresence", "ShowMyPresenceOutside")
_OWN_RIGHTS = ("AllowToChangePresence", "ShowMyCalls", "ShowMyPresence")  # all that the role "users" grants (a guess)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

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


def display_name(first_name, last_name, name_format):
    """A user's DisplayName as the PBX composes it: "Last, First" (``last_first``) or "First Last" (``first_last``)."""
    if name_format == "last_first":
        return _join(", ", last_name, first_name)
    return _join(" ", first_name, last_name)


def user(rng, number, first_name, last_name):
    """A user (extension) of the PBX as an admin adds one: mailbox from the name; most have a mobile, from Ofcom's range
    for drama."""
    return {
        "Number": number,
        "FirstName": first_name,
        "LastName": last_name,
        "EmailAddress": _join(".", _mailbox(first_name), _mailbox(last_name)) + "@example.com",
        "Mobile": f"+44 7700 900{rng.randrange(1000):03d}" if rng.random() < 0.6 else None,
        "Enabled": True,
        "IsRegistered": rng.random() < 0.7,
        "Require2FA": rng.random() < 0.3,
        "VMEnabled": True,
        "Language": "EN",
    }


def _schedule(kind, periods=()):
    return {"Type": kind, "IgnoreHolidays": False, "Periods": [dict(period) for period in periods]}


def user_defaults():
    """What the PBX fills in for a user created with an empty body.

    The admin console's default body (ENTITIES.md §1) where it is a setting of the PBX's own (voicemail, hours, SRTP,
    sign-in methods); not its ``Require2FA: true``, which is the console's choice: a new user needs no second factor.
    """
    return {
        "FirstName": "", "LastName": "", "EmailAddress": "", "Enabled": True, "Require2FA": False, "Enable2FA": False,
        "Language": "EN", "PromptSet": PROMPT_SET, "SendEmailMissedCalls": True, "VMEnabled": True,
        "VMEmailOptions": "Notification", "VMPlayMsgDateTime": "None", "CallUsRequirement": "Both",
        "Blfs": "<PhoneDevice><BLFS/></PhoneDevice>", "AllowLanOnly": True, "SRTPMode": "SRTPDisabled",
        "Hours": _schedule("OfficeHours"), "BreakTime": _schedule("OfficeHours"), "CurrentProfileName": "Available",
        "MS365SignInEnabled": True, "MS365CalendarEnabled": True, "MS365ContactsEnabled": True, "MS365TeamsEnabled": True,
        "GoogleSignInEnabled": True, "TranscriptionMode": "Inherit", "IsRegistered": False, "PrimaryGroupId": None,
    }


def _random_text(rng, length, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _index in range(length))


def user_secrets(rng):
    """The credentials the PBX generates for a new user: SIP authentication, web client and desk phone passwords, PIN."""
    return {
        "AuthID": _random_text(rng, 10), "AuthPassword": _random_text(rng, 10), "AccessPassword": _random_text(rng, 12),
        "DeskphonePassword": _random_text(rng, 8), "SIPID": _random_text(rng, 10), "VMPIN": _random_text(rng, 4, string.digits),
    }


def rights(role):
    """A membership's ``Rights`` for ``role``: which flags each role grants is not public, so "users" gets the user's own
    (presence, own calls) and any other role every flag."""
    granted = _OWN_RIGHTS if role == "users" else _RIGHTS
    return dict({name: name in granted for name in _RIGHTS}, RoleName=role, Invalid=False)


def _destination():
    return {"To": "None", "Number": "", "External": "", "Name": "", "Type": "None", "Tags": []}


def _route():
    return {"IsPromptEnabled": False, "Prompt": "", "Route": _destination()}


def department(name, number, language="EN", time_zone="51"):
    """A department as the PBX makes it: office hours Monday to Friday 9 to 5, routes to nowhere yet, the limits of a
    department read back from a live PBX (ENTITIES.md §2: -1 is unlimited)."""
    return {
        "Number": number, "Name": name, "Language": language, "TimeZoneId": time_zone, "IsDefault": False,
        "HasMembers": False, "AllowCallService": True, "GloballyVisible": True, "TranscriptionMode": "Nothing",
        "PromptSet": PROMPT_SET, "DisableCustomPrompt": True, "CustomPrompt": "", "MusicOnHold": "",
        "CurrentGroupHours": "Default", "CallUsRequirement": "Both", "AnswerAfter": 0, "OverrideHolidays": False,
        "Hours": _schedule("SpecificHours", ({"DayOfWeek": day, "Start": "09:00:00", "Stop": "17:00:00"} for day in _WEEKDAYS)),
        "BreakTime": _schedule("Never"), "OfficeRoute": _route(), "OutOfOfficeRoute": _route(), "BreakRoute": _route(),
        "HolidaysRoute": _route(), "CustomOperator": _destination(),
        "Props": {"StartupLicense": "Pro", "OutboundRulesMaxCount": 20, "TrunksMaxCount": 6, "LiveChatMaxCount": -1,
                  "DectMaxCount": -1, "SbcMaxCount": -1, "PersonalContactsMaxCount": -1, "DepartmentContactsMaxCount": -1,
                  "PromptsMaxCount": -1, "SubcriptionExpireDate": "0001-01-01T00:00:00Z"},
    }


def favourites(number):
    """The hidden department holding the favourites of the user with extension ``number`` (ENTITIES.md §0.4)."""
    return dict(department(FAVOURITES_PREFIX + number, "FGRP" + number), GloballyVisible=False, AllowCallService=False,
                TranscriptionMode="Nothing")


def seeded_members(text):
    """``(number, role)`` of each member of a seeded department, from its ``DEPARTMENTS`` text."""
    return [(number, role or "users") for number, _colon, role in (item.partition(":") for item in text.split())]


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
