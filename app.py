"""LAPOR API: the app, its middleware, its blueprints (chalicelib/routes/, one per feature) and
every schedule, the inbound-message handlers. Nothing else lives here.

Route modules load their use cases and request models on first use (chalicelib.lazy): schedules
and reads never pay for them at cold start."""
from __future__ import annotations

from aws_lambda_powertools import Logger
from chalice import Chalice, Cron, Rate

from chalicelib.http import in_our_error_shape, local_server_takes_every_method
from chalicelib.routes import attachments, audit, browse, docs, officers, open311, policy, queue, reference, reports, statistics, web
from chalicelib.routes import reporter_data
from chalicelib.routes import whatsapp

app = Chalice(app_name="lapor")
logger = Logger(service="lapor")
local_server_takes_every_method()


@app.middleware("http")
def correlation(event, get_response):
    """One correlation id per request in every log line; no bodies, no headers logged."""
    request_id = (event.context or {}).get("requestId")
    logger.set_correlation_id(request_id)
    response = in_our_error_shape(get_response(event))
    logger.info("request", extra={"method": event.method, "path": event.context.get("resourcePath"),
                                  "status": response.status_code})
    return response


for module in (reference, reports, queue, policy, officers, attachments, open311, statistics, docs, web, audit,
               browse):
    app.register_blueprint(module.bp)
app.register_blueprint(reporter_data.bp)  # the reporter's own data (UU PDP): lost code, access, correction, erasure
app.register_blueprint(whatsapp.bp)  # the WhatsApp Cloud API webhook (inbound messages)

from chalicelib.routes import support as support_routes  # noqa: E402  (issue 14: support and opt-out)

app.register_blueprint(support_routes.bp)


# ---- the clock: thin calls that pass the Lambda context on (time budget, request id) ---------------
@app.schedule(Rate(15, unit=Rate.MINUTES), name="sweep")
def sweep(event):
    from scheduled.sweep import sweep_handler

    return sweep_handler(event.to_dict(), event.context)


# 07:00 WIB is 00:00 UTC; the digest itself skips holidays and cuti bersama.
@app.schedule(Cron(0, 0, "?", "*", "MON-FRI", "*"), name="morning_digest")
def morning_digest(event):
    from scheduled.sweep import digest_handler

    return digest_handler(event.to_dict(), event.context)


# 03:00 WIB on the 2nd of each month (20:00 UTC on the 1st): last month is closed by then.
@app.schedule(Cron(0, 20, 1, "*", "?", "*"), name="monthly_stats")
def monthly_stats(event):
    from scheduled.rebuild_stats import monthly_check_handler

    return monthly_check_handler(event.to_dict(), event.context)


# 02:00 WIB daily (19:00 UTC): reporters of reports closed long enough ago are erased (UU PDP retention).
@app.schedule(Cron(0, 19, "*", "*", "?", "*"), name="retention")
def retention(event):
    from scheduled.retention import retention_handler

    return retention_handler(event.to_dict(), event.context)


# ---- inbound messages: a provider's delivery, answered through the outbox ------------------------------
# The topic's name locally; the deployed stack points the subscription at its own topic (infra/).
@app.on_sns_message(topic="lapor-inbound-sms", name="inbound_sms")
def inbound_sms(event):
    from chalicelib.adapters.sms_inbound import handle_sns

    return handle_sns(event.to_dict(), event.context)


# SES receipt rule: S3 action (the raw message) then this Lambda action. Chalice cannot package
# @app.on_s3_event, so the rule names a plain function (infra/template.json wires it).
@app.lambda_function(name="inbound_email")
def inbound_email(event, context):
    from chalicelib.adapters.email_inbound import handle_ses

    return handle_ses(event, context)
