"""Write ctdc_sample.csv: 29 made-up records in the CTDC global k-anonymised CSV format.

The column names and order are those of the CTDC Global K-anon Dataset (semicolon
separated, -99 for unknown); the records are invented for tests, so the hand-counted
totals in tests/test_ctdc.py can be checked against the SPECS below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLUMNS = """yearOfRegistration Datasource gender ageBroad majorityStatus majorityStatusAtExploit
majorityEntry citizenship meansOfControlDebtBondage meansOfControlTakesEarnings
meansOfControlRestrictsFinancialAccess meansOfControlThreats meansOfControlPsychologicalAbuse
meansOfControlPhysicalAbuse meansOfControlSexualAbuse meansOfControlFalsePromises
meansOfControlPsychoactiveSubstances meansOfControlRestrictsMovement
meansOfControlRestrictsMedicalCare meansOfControlExcessiveWorkingHours meansOfControlUsesChildren
meansOfControlThreatOfLawEnforcement meansOfControlWithholdsNecessities
meansOfControlWithholdsDocuments meansOfControlOther meansOfControlNotSpecified
meansOfControlConcatenated isForcedLabour isSexualExploit isOtherExploit isSexAndLabour
isForcedMarriage isForcedMilitary isOrganRemoval isSlaveryAndPractices typeOfExploitConcatenated
typeOfLabourAgriculture typeOfLabourAquafarming typeOfLabourBegging typeOfLabourConstruction
typeOfLabourDomesticWork typeOfLabourHospitality typeOfLabourIllicitActivities
typeOfLabourManufacturing typeOfLabourMiningOrDrilling typeOfLabourPeddling
typeOfLabourTransportation typeOfLabourOther typeOfLabourNotSpecified typeOfLabourConcatenated
typeOfSexProstitution typeOfSexPornography typeOfSexRemoteInteractiveServices
typeOfSexPrivateSexualServices typeOfSexConcatenated isAbduction RecruiterRelationship
CountryOfExploitation recruiterRelationIntimatePartner recruiterRelationFriend
recruiterRelationFamily recruiterRelationOther recruiterRelationUnknown""".split()  # noqa: SIM905

# (year, gender, ageBroad, majorityStatus, citizenship, CountryOfExploitation,
#  exploitation flags, typeOfLabour flags, how many identical records)
SPECS = [
    ("2019", "Female", "18--20", "Adult", "KH", "TH", {"isSexualExploit"}, set(), 2),
    ("2019", "Male", "24--26", "Adult", "KH", "TH", {"isForcedLabour"}, {"Aquafarming"}, 3),
    ("2020", "Female", "9--17", "Minor", "LA", "TH", {"isSexualExploit"}, set(), 3),
    ("2019", "Woman", "18--20", "Adult", "KH", "TH", {"isSexualExploit"}, set(), 1),
    ("2019", "Male", "24--26", "Adult", "KH", "TH", {"isForcedLabour"}, {"Construction"}, 2),
    ("2020", "Female", "-99", "Minor", "LA", "TH", {"isSexualExploit"}, set(), 1),
    ("2020", "Female", "30--38", "-99", "MM", "TH", {"isForcedLabour"}, {"DomesticWork"}, 2),
    ("2020", "-99", "-99", "-99", "MM", "TH", set(), set(), 2),
    ("2021", "Female", "21--23", "Adult", "VN", "CN", {"isForcedMarriage"}, set(), 3),
    (
        "2021",
        "Female",
        "21--23",
        "Adult",
        "MM",
        "TH",
        {"isSexualExploit", "isForcedLabour", "isSexAndLabour"},
        set(),
        2,
    ),
    (
        "2021",
        "Male",
        "27--29",
        "Adult",
        "TH",
        "TH",
        {"isForcedLabour"},
        {"Agriculture", "Manufacturing"},
        1,
    ),
    ("2021", "Female", "18--20", "Adult", "-99", "TH", {"isSexualExploit"}, set(), 2),
    ("-99", "Male", "24--26", "Adult", "KH", "TH", {"isForcedLabour"}, set(), 1),
    ("2021", "Male", "9--17", "Minor", "KH", "", {"isForcedLabour"}, {"Begging"}, 1),
    ("2022", "Female", "18--20", "Adult", "NA", "ZA", {"isForcedLabour"}, {"Hospitality"}, 2),
    ("2019", "Female", "18--20", "Adult", "KH", "TH", {"isSexualExploit"}, set(), 1),
]
FLAGS = [c for c in COLUMNS if c.startswith("is")]
LABOUR = [c for c in COLUMNS if c.startswith("typeOfLabour") and c != "typeOfLabourConcatenated"]


def record(spec: tuple[Any, ...]) -> list[str]:
    year, gender, age, majority, cit, coe, flags, labour, _ = spec
    row = dict.fromkeys(COLUMNS, "-99")
    row.update(
        yearOfRegistration=year,
        Datasource="Case Management",
        gender=gender,
        ageBroad=age,
        majorityStatus=majority,
        citizenship=cit,
        CountryOfExploitation=coe,
    )
    if flags or labour:
        row.update({c: "1" if c in flags else "0" for c in FLAGS})
        row.update({c: "1" if c.removeprefix("typeOfLabour") in labour else "0" for c in LABOUR})
    return [row[c] for c in COLUMNS]


def main() -> None:
    lines = [";".join(COLUMNS)]
    for spec in SPECS:
        lines += [";".join(record(spec))] * spec[-1]
    out = Path(__file__).resolve().parent / "ctdc_sample.csv"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} records to {out}")


if __name__ == "__main__":
    main()
