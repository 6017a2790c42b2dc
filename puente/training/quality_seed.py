"""The rubric an install starts with (migration 0003_quality): what a good hotline
contact does, in the order a call happens. Supervisors change it afterwards on the
rubric page; each change is a new version, so this one stays for the reviews scored
on it."""

from __future__ import annotations

from typing import Any

DEFAULT_SCALE = 4
DEFAULT_CRITERIA = [
    (
        "Safety first",
        "Seguridad primero",
        "Asked whether the caller could talk safely; in danger, took the emergency steps (911, supervisor) without delay.",
        "Preguntó si la persona podía hablar con seguridad; ante un peligro, siguió sin demora los pasos de emergencia (911, supervisor/a).",
        3,
    ),
    (
        "Screening for trafficking indicators",
        "Detección de indicadores de trata",
        "Asked about force, fraud and coercion, work and living conditions, and whether anyone is under 18; recorded the indicators heard.",
        "Preguntó por fuerza, engaño y coerción, condiciones de trabajo y de vivienda, y si hay alguna persona menor de 18 años; registró los indicadores escuchados.",
        3,
    ),
    (
        "Trauma-informed listening",
        "Escucha con enfoque en el trauma",
        "Calm, respectful and without judgment; let the caller lead, explained each question, and did not press for details the call did not need.",
        "Con calma, respeto y sin juzgar; dejó que la persona guiara, explicó cada pregunta y no insistió en detalles que la llamada no necesitaba.",
        2,
    ),
    (
        "Options, consent and referral",
        "Opciones, consentimiento y canalización",
        "Explained the options honestly, asked consent before sharing anything, and chose a referral that fits the need and the place.",
        "Explicó las opciones con honestidad, pidió consentimiento antes de compartir datos y eligió una canalización adecuada a la necesidad y al lugar.",
        2,
    ),
    (
        "Mandatory reporting and duties",
        "Reporte obligatorio y deberes",
        "Recognized a duty to report (a minor, imminent danger), told the caller, and followed the procedure with a supervisor.",
        "Reconoció el deber de reportar (una persona menor de edad, un peligro inminente), lo dijo a quien llamaba y siguió el procedimiento con su supervisor/a.",
        2,
    ),
    (
        "Language access",
        "Acceso en su idioma",
        "Offered the caller's language or an interpreter, and spoke plainly.",
        "Ofreció atender en el idioma de la persona o con intérprete, y habló con claridad.",
        1,
    ),
    (
        "Record of the contact",
        "Registro del contacto",
        "Reason for contact and signaler type right; a summary another advocate can act on; identifiers recorded as given.",
        "Motivo del contacto y tipo de persona que reporta correctos; un resumen con el que otra persona pueda actuar; identificadores registrados tal como se dieron.",
        1,
    ),
]


def seed_rubric(rubric_model: Any, criterion_model: Any, using: str = "default") -> None:
    """Version 1, current, unless a rubric exists already (never overwrites)."""
    if rubric_model.objects.db_manager(using).exists():
        return
    rubric = rubric_model.objects.db_manager(using).create(
        version=1, scale_max=DEFAULT_SCALE, current=True, change_note="Installed with Puente"
    )
    criterion_model.objects.db_manager(using).bulk_create(
        criterion_model(
            rubric=rubric,
            position=position,
            label_en=label_en,
            label_es=label_es,
            guidance_en=guidance_en,
            guidance_es=guidance_es,
            weight=weight,
        )
        for position, (label_en, label_es, guidance_en, guidance_es, weight) in enumerate(
            DEFAULT_CRITERIA, start=1
        )
    )
