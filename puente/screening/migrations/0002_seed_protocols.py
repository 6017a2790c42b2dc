"""Seed the hotline's protocols: one for every reason for contact (any signaler), and
specific ones for the calls where the caller changes what the advocate must do.
Administrators edit the wording afterwards; this migration never overwrites an edit."""

from django.db import migrations

EMERGENCY_EN = "If anyone is in immediate danger, call or have the caller call 911, the emergency number in both the United States and Mexico."
EMERGENCY_ES = "Si alguien está en peligro inmediato, llame o pida a quien llama que llame al 911, el número de emergencias tanto en Estados Unidos como en México."
SAFE_EN = "Ask first: \"Are you safe to talk right now?\" If not, agree a safe time and way to reach them, and end the contact."
SAFE_ES = "Pregunte primero: «¿Puede hablar con seguridad en este momento?». Si no, acuerde un momento y un medio seguros para contactarle, y termine la comunicación."
MINOR_EN = "If anyone involved may be under 18, the hotline must report it: tell the caller honestly, and follow the mandatory-reporting procedure with your supervisor."
MINOR_ES = "Si alguna persona involucrada puede ser menor de 18 años, la línea debe reportarlo: dígalo con honestidad a quien llama y siga el procedimiento de reporte obligatorio con su supervisor(a)."
CONFIDENTIAL_EN = "Do not promise confidentiality you cannot keep: explain that the hotline acts without consent only when a minor is involved or someone is in imminent danger."
CONFIDENTIAL_ES = "No prometa una confidencialidad que no pueda cumplir: explique que la línea actúa sin consentimiento solo cuando hay una persona menor de edad o alguien en peligro inminente."
CONSENT_EN = "Ask for consent before sharing any detail with a service provider, a partner hotline or law enforcement, and record what the consent covers."
CONSENT_ES = "Pida consentimiento antes de compartir cualquier dato con una organización de servicios, una línea aliada o las autoridades, y registre qué abarca ese consentimiento."

PROTOCOLS = [
    (
        "crisis", "",
        "Crisis or emergency",
        "Crisis o emergencia",
        [
            SAFE_EN,
            "Find out who is in danger, what is happening now and exactly where they are (address, landmarks, city, state).",
            "If there is a threat to life or an injury, ask for consent to call 911 for them, or have them call 911 (the emergency number in the United States and Mexico); stay on the line if you can.",
            MINOR_EN,
            CONFIDENTIAL_EN,
            "Screen the indicators you hear and mark the contact as imminent danger.",
            "Offer emergency shelter, transport and medical care. " + CONSENT_EN,
            "Tell your supervisor at once and record every step you take, with the time.",
        ],
        [
            SAFE_ES,
            "Averigüe quién está en peligro, qué ocurre ahora y dónde está exactamente (dirección, referencias, ciudad, estado).",
            "Si hay riesgo para la vida o lesiones, pida consentimiento para llamar al 911 por la persona, o pídale que llame al 911 (el número de emergencias en Estados Unidos y en México); permanezca en la línea si puede.",
            MINOR_ES,
            CONFIDENTIAL_ES,
            "Marque los indicadores que escuche y registre el contacto como peligro inminente.",
            "Ofrezca refugio de emergencia, transporte y atención médica. " + CONSENT_ES,
            "Avise de inmediato a su supervisor(a) y registre cada paso que dé, con la hora.",
        ],
    ),
    (
        "tip", "",
        "Tip about a possible trafficking situation",
        "Reporte sobre una posible situación de trata",
        [
            "Thank the caller. " + SAFE_EN,
            "Explain that they can stay anonymous: you will not ask for their name unless they want to give it.",
            EMERGENCY_EN + " Then follow the crisis protocol.",
            "Gather the facts: who, what, where (address, business name, city, state), when, how often, and how the caller knows.",
            "Record identifiers exactly as given: phone numbers, online ads, vehicles, business names.",
            "Screen for force, fraud, coercion and control, and for signs that anyone is under 18.",
            MINOR_EN,
            "Explain what may happen next (a report to trusted law-enforcement or service partners) without promising an outcome.",
        ],
        [
            "Agradezca la llamada. " + SAFE_ES,
            "Explique que puede permanecer en el anonimato: no le pedirá su nombre a menos que quiera darlo.",
            EMERGENCY_ES + " Después siga el protocolo de crisis.",
            "Reúna los hechos: quién, qué, dónde (dirección, nombre del negocio, ciudad, estado), cuándo, con qué frecuencia y cómo lo sabe quien llama.",
            "Registre los identificadores tal como se los den: teléfonos, anuncios en línea, vehículos, nombres de negocios.",
            "Identifique indicadores de fuerza, engaño, coerción y control, y señales de que alguien sea menor de 18 años.",
            MINOR_ES,
            "Explique qué puede ocurrir después (un reporte a autoridades u organizaciones aliadas de confianza) sin prometer un resultado.",
        ],
    ),
    (
        "services", "",
        "Request for services",
        "Solicitud de servicios",
        [
            SAFE_EN,
            EMERGENCY_EN,
            "Ask what the person needs most right now (shelter, food, medical care, legal or immigration help, counselling, transport) and where they are.",
            "Screen gently for trafficking indicators; no one has to tell their whole story to receive help.",
            "Search the directory near the person, for their needs, language and population served.",
            "Explain each option honestly (cost, documents required, hours) and let the person choose.",
            CONSENT_EN,
            MINOR_EN,
            "Offer a follow-up and agree a safe way and time to make it.",
        ],
        [
            SAFE_ES,
            EMERGENCY_ES,
            "Pregunte qué necesita la persona con más urgencia (refugio, alimentos, atención médica, ayuda legal o migratoria, apoyo psicológico, transporte) y dónde se encuentra.",
            "Identifique con tacto los indicadores de trata; nadie tiene que contar toda su historia para recibir ayuda.",
            "Busque en el directorio cerca de la persona, según sus necesidades, su idioma y la población que se atiende.",
            "Explique cada opción con honestidad (costo, documentos requeridos, horarios) y deje que la persona elija.",
            CONSENT_ES,
            MINOR_ES,
            "Ofrezca un seguimiento y acuerde un medio y un momento seguros para hacerlo.",
        ],
    ),
    (
        "general_info", "",
        "General information",
        "Información general",
        [
            "Answer the question clearly; offer the hotline's public pages and awareness materials.",
            "Listen for a real situation behind the question: if one appears, switch to the tip or crisis protocol.",
            EMERGENCY_EN,
            "Do not give legal advice; offer a referral to legal services instead.",
            "Record the topic of the question, without personal details the caller did not need to give.",
        ],
        [
            "Responda la pregunta con claridad; ofrezca las páginas públicas de la línea y materiales de sensibilización.",
            "Esté atento(a) a una situación real detrás de la pregunta: si aparece, cambie al protocolo de reporte o de crisis.",
            EMERGENCY_ES,
            "No dé asesoría legal; ofrezca en su lugar una canalización a servicios legales.",
            "Registre el tema de la consulta, sin datos personales que quien llama no necesitaba dar.",
        ],
    ),
    (
        "training", "",
        "Training or technical assistance",
        "Capacitación o asistencia técnica",
        [
            "Record the organisation, the caller's role, the location and what training or assistance is requested.",
            "Never share information about a case or a survivor, even with a partner organisation, without the survivor's consent.",
            "If the request is about a specific situation, switch to the tip protocol.",
            "Pass the request to the training team and agree when they will answer.",
        ],
        [
            "Registre la organización, el cargo de quien llama, la ubicación y qué capacitación o asistencia solicita.",
            "Nunca comparta información de un caso o de una persona sobreviviente, ni siquiera con una organización aliada, sin su consentimiento.",
            "Si la solicitud trata de una situación concreta, cambie al protocolo de reporte.",
            "Envíe la solicitud al equipo de capacitación y acuerde cuándo se dará respuesta.",
        ],
    ),
    (
        "high_risk", "",
        "High risk without clear trafficking indicators",
        "Alto riesgo sin indicadores claros de trata",
        [
            SAFE_EN,
            EMERGENCY_EN,
            "Screen fully: exploitation without clear force, fraud or coercion, domestic violence, child abuse, risky smuggling or runaway youth can hide trafficking.",
            MINOR_EN,
            "Offer referrals to specialised services (domestic violence, labour rights, child protection, immigration legal help). " + CONSENT_EN,
            "Record the level of indicators and why, and invite the person to contact the hotline again if things change.",
        ],
        [
            SAFE_ES,
            EMERGENCY_ES,
            "Haga la identificación completa: la explotación sin fuerza, engaño o coerción claros, la violencia familiar, el abuso infantil, el tráfico de personas riesgoso o las personas jóvenes que huyeron de casa pueden ocultar una situación de trata.",
            MINOR_ES,
            "Ofrezca canalización a servicios especializados (violencia familiar, derechos laborales, protección de la infancia, ayuda legal migratoria). " + CONSENT_ES,
            "Registre el nivel de indicadores y su motivo, e invite a la persona a volver a comunicarse si la situación cambia.",
        ],
    ),
    (
        "non_trafficking", "",
        "Not about trafficking",
        "Contacto no relacionado con trata",
        [
            "Check whether anyone is in danger. " + EMERGENCY_EN,
            "Explain kindly what the hotline does, and refer the person to the right service (domestic-violence line, labour authority, child protection, immigration legal help).",
            MINOR_EN,
            "Record the contact briefly, with the referral given.",
        ],
        [
            "Confirme si alguien está en peligro. " + EMERGENCY_ES,
            "Explique con amabilidad lo que hace la línea y canalice a la persona al servicio adecuado (línea de violencia familiar, autoridad laboral, protección de la infancia, ayuda legal migratoria).",
            MINOR_ES,
            "Registre brevemente el contacto, con la canalización que se dio.",
        ],
    ),
    (
        "hang_up", "",
        "Hang-up, silence or wrong number",
        "Llamada colgada, silencio o número equivocado",
        [
            "Say the hotline's name and that it is safe to talk; wait a few seconds: silence can mean the person cannot speak.",
            "Offer yes-or-no questions (\"Press any key or say yes if you need help\").",
            "Do not call or text back unless hotline policy and the person's earlier consent allow it: a call back can put someone at risk.",
            "If you hear signs of danger, tell your supervisor at once; emergency services (911) are contacted as hotline policy sets out.",
            "Record the contact: number, time and anything you heard.",
        ],
        [
            "Diga el nombre de la línea y que es seguro hablar; espere unos segundos: el silencio puede significar que la persona no puede hablar.",
            "Ofrezca preguntas de sí o no («Marque cualquier tecla o diga sí si necesita ayuda»).",
            "No devuelva la llamada ni el mensaje salvo que la política de la línea y el consentimiento previo de la persona lo permitan: devolver la llamada puede poner a alguien en riesgo.",
            "Si escucha señales de peligro, avise de inmediato a su supervisor(a); se contacta a emergencias (911) según la política de la línea.",
            "Registre el contacto: número, hora y todo lo que haya escuchado.",
        ],
    ),
    (
        "crisis", "potential_victim",
        "Crisis: a potential victim in danger",
        "Crisis: posible víctima en peligro",
        [
            "Ask: \"Are you safe to talk right now? Is anyone with you or listening?\" Agree a safe word that means you will end the call at once.",
            "Ask where they are now and whether they can leave safely; if they cannot speak freely, use yes-or-no questions.",
            "If they are hurt or threatened right now, ask for consent to call 911 for them (the emergency number in the United States and Mexico) and stay on the line.",
            MINOR_EN,
            CONFIDENTIAL_EN,
            "Ask what they want to do: leave now, plan to leave later, or just talk. Respect their choice; they stay in control.",
            "Make a safety plan: a safe place, documents, phone, money, a trusted person.",
            "Offer emergency shelter, transport, medical care and an interpreter. " + CONSENT_EN,
            "If they are in, or heading to, the other country, offer a referral to the partner hotline, with their consent.",
            "Tell your supervisor at once and record every step, with the time.",
        ],
        [
            "Pregunte: «¿Puede hablar con seguridad en este momento? ¿Hay alguien con usted o escuchando?». Acuerde una palabra clave que signifique que terminará la llamada de inmediato.",
            "Pregunte dónde está ahora y si puede salir con seguridad; si no puede hablar libremente, use preguntas de sí o no.",
            "Si está herida o amenazada en este momento, pida su consentimiento para llamar al 911 (el número de emergencias en Estados Unidos y en México) y permanezca en la línea.",
            MINOR_ES,
            CONFIDENTIAL_ES,
            "Pregunte qué quiere hacer: salir ahora, planear salir más adelante o solo hablar. Respete su decisión; la persona mantiene el control.",
            "Elabore un plan de seguridad: un lugar seguro, documentos, teléfono, dinero, una persona de confianza.",
            "Ofrezca refugio de emergencia, transporte, atención médica e intérprete. " + CONSENT_ES,
            "Si está en el otro país, o va hacia allá, ofrezca una canalización a la línea aliada, con su consentimiento.",
            "Avise de inmediato a su supervisor(a) y registre cada paso, con la hora.",
        ],
    ),
    (
        "tip", "community_member",
        "Tip from a member of the public",
        "Reporte de una persona de la comunidad",
        [
            "Thank the caller for reaching out. " + SAFE_EN,
            "Explain that they can stay anonymous, and ask whether and how the hotline may contact them again.",
            EMERGENCY_EN,
            "Ask what they saw or heard, where, when and how often. Ask them not to investigate, confront anyone or share photos online: it can endanger them and the victims.",
            "Record identifiers exactly as given: phone numbers, online ads, vehicles, business names.",
            "Screen for force, fraud, coercion and control, and for signs that anyone is under 18.",
            MINOR_EN,
            "Explain what may happen next; you cannot promise an outcome or always tell them the result.",
        ],
        [
            "Agradezca a la persona por comunicarse. " + SAFE_ES,
            "Explique que puede permanecer en el anonimato y pregunte si la línea puede volver a contactarle, y cómo.",
            EMERGENCY_ES,
            "Pregunte qué vio o escuchó, dónde, cuándo y con qué frecuencia. Pídale que no investigue, no confronte a nadie y no publique fotos en internet: puede ponerle en peligro a usted y a las víctimas.",
            "Registre los identificadores tal como se los den: teléfonos, anuncios en línea, vehículos, nombres de negocios.",
            "Identifique indicadores de fuerza, engaño, coerción y control, y señales de que alguien sea menor de 18 años.",
            MINOR_ES,
            "Explique qué puede ocurrir después; no puede prometer un resultado ni siempre informarle del desenlace.",
        ],
    ),
    (
        "services", "potential_victim",
        "Services for a potential victim",
        "Servicios para una posible víctima",
        [
            "Ask whether they are safe to talk and whether the phone they use is private.",
            EMERGENCY_EN,
            "Start with their needs, not their story: shelter, food, medical care, legal or immigration help, counselling, transport.",
            "Screen gently and explain why you ask; they may decline any question.",
            "Search the directory near them, in their language; say which services do not ask for identity documents or immigration status.",
            CONSENT_EN,
            MINOR_EN,
            "Make a safety plan and agree a safe way and time for the follow-up.",
            "If they are in, or heading to, the other country, offer a referral to the partner hotline, with their consent.",
        ],
        [
            "Pregunte si puede hablar con seguridad y si el teléfono que usa es privado.",
            EMERGENCY_ES,
            "Comience por sus necesidades, no por su historia: refugio, alimentos, atención médica, ayuda legal o migratoria, apoyo psicológico, transporte.",
            "Haga la identificación con tacto y explique por qué pregunta; puede negarse a responder cualquier pregunta.",
            "Busque en el directorio cerca de la persona, en su idioma; indique qué servicios no piden documentos de identidad ni situación migratoria.",
            CONSENT_ES,
            MINOR_ES,
            "Elabore un plan de seguridad y acuerde un medio y un momento seguros para el seguimiento.",
            "Si está en el otro país, o va hacia allá, ofrezca una canalización a la línea aliada, con su consentimiento.",
        ],
    ),
    (
        "crisis", "law_enforcement",
        "Crisis call from law enforcement",
        "Llamada de crisis de una autoridad",
        [
            "Record the officer's name, agency, badge number and a call-back number; confirm it through the agency's official number before sharing anything.",
            "Ask what is happening, where, and whether potential victims on scene need shelter, an interpreter, medical care or transport.",
            "The hotline shares information about a survivor only with their consent, or where the law requires it (a minor, imminent danger); do not confirm whether someone has contacted the hotline.",
            "Offer victim-centred services for the people on scene: emergency shelter, case management, interpreters, legal services.",
            MINOR_EN,
            "Any report or disclosure needs your supervisor's approval: tell them at once.",
            "Record the request, what was shared, with whom and on what basis.",
        ],
        [
            "Registre el nombre de la persona servidora pública, su corporación, su número de placa y un número para devolver la llamada; confírmelo con el número oficial de la institución antes de compartir nada.",
            "Pregunte qué ocurre, dónde y si las posibles víctimas en el lugar necesitan refugio, intérprete, atención médica o transporte.",
            "La línea solo comparte información de una persona sobreviviente con su consentimiento, o cuando la ley lo exige (una persona menor de edad, un peligro inminente); no confirme si alguien se ha comunicado con la línea.",
            "Ofrezca servicios centrados en las víctimas para las personas en el lugar: refugio de emergencia, acompañamiento, intérpretes, servicios legales.",
            MINOR_ES,
            "Todo reporte o entrega de información requiere la aprobación de su supervisor(a): avísele de inmediato.",
            "Registre la solicitud, qué se compartió, con quién y con qué fundamento.",
        ],
    ),
]


def seed(apps, schema_editor):
    Protocol = apps.get_model("screening", "Protocol")
    for reason, signaler_type, title_en, title_es, steps_en, steps_es in PROTOCOLS:
        Protocol.objects.db_manager(schema_editor.connection.alias).get_or_create(
            reason=reason,
            signaler_type=signaler_type,
            defaults={
                "title_en": title_en,
                "title_es": title_es,
                "steps_en": "\n".join(steps_en),
                "steps_es": "\n".join(steps_es),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
