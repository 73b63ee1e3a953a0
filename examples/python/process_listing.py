#!/usr/bin/env python3
"""Send one listing through the toq-media pipeline that `npm run dev` runs, as a backend does.

    python3 examples/python/process_listing.py .local/dev/connection.json [FOLDER]

1. Builds the ProcessingRequest for every photo and video of FOLDER (default: the repository's
   samples/listing) and checks it against the JSON Schema the service serves.
2. Uploads each file to its raw key, {listingId}/raw/{mediaType}/{mediaId}.{ext}, tagged
   media-class=raw.
3. Sends the request to the queue, the callback pointing at a small HTTP server on 127.0.0.1.
4. Waits for the webhook, verifies its Standard Webhooks signature, validates its body against the
   served JSON Schema, and prints a summary.

Exit code: 0 when a correctly signed, valid webhook arrived (whatever the listing's status);
1 when not (timeout, bad signature, schema mismatch, an S3 or SQS error); 2 for a wrong argument
(a request the schema refuses included), before anything is uploaded.

Needs Python 3.11 and boto3 (Debian: apt-get install python3-boto3). jsonschema is optional
(python3-jsonschema): without it the schema checks are skipped, and the output says so.
"""

import argparse
import base64
import hashlib
import hmac
import json
import queue
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    sys.exit("process_listing: boto3 is not installed (Debian: apt-get install python3-boto3)")
try:
    import jsonschema
except ImportError:
    jsonschema = None  # optional: the schema checks are skipped, and the output says so

SAMPLE_LISTING = Path(__file__).resolve().parents[2] / "samples" / "listing"

# The raw extensions the pipeline accepts (docs/system.md, §2) and the Content-Type of each.
CONTENT_TYPES = {
    "photo": {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "heic": "image/heic",
        "heif": "image/heif",
        "avif": "image/avif",
        "tif": "image/tiff",
        "tiff": "image/tiff",
    },
    "video": {
        "mp4": "video/mp4",
        "mov": "video/quicktime",
        "m4v": "video/x-m4v",
        "webm": "video/webm",
    },
}

# Standard Webhooks' replay window: a webhook signed more than 5 minutes away from now is refused.
TIMESTAMP_TOLERANCE_SECONDS = 5 * 60


class Failure(Exception):
    """Ends the run with one line on stderr and the exit code."""

    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code


def read_connection(path):
    """The service's connection.json: endpoint, region, bucket, queueUrl, webhookSecret, …"""
    try:
        connection = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise Failure(f"{path} not found: start `npm run dev` first, it writes it", 2)
    except (OSError, ValueError) as error:
        raise Failure(f"cannot read {path}: {error}", 2)
    wanted = ("endpoint", "region", "bucket", "queueUrl", "webhookSecret", "schemasUrl")
    missing = [key for key in wanted if not isinstance(connection.get(key), str)]
    if missing:
        raise Failure(f"{path} has no {', '.join(missing)}: is it the one `npm run dev` wrote?", 2)
    return connection


def media_files(folder):
    """(path, mediaType, ext) of every photo and video in the folder; other files are skipped."""
    if not folder.is_dir():
        raise Failure(f"{folder} is not a folder", 2)
    media, skipped = [], []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        ext = path.suffix[1:].lower()
        media_type = next((t for t, exts in CONTENT_TYPES.items() if ext in exts), None)
        if media_type is None:
            skipped.append(path.name)
        else:
            media.append((path, media_type, ext))
    if not media:
        raise Failure(f"{folder} has no photo or video", 2)
    return media, skipped


def verify_signature(secret, headers, body):
    """Checks a Standard Webhooks signature (https://www.standardwebhooks.com/).

    The signature is base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), the key
    being the secret's base64 after "whsec_". The body must be the bytes received, not re-encoded.
    """
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise Failure("webhook without webhook-id, webhook-timestamp or webhook-signature header")
    if not timestamp.isdigit():
        raise Failure(f"webhook-timestamp is not a number of seconds: {timestamp!r}")
    # Without this window, anyone who captured one webhook could replay it at will.
    skew = time.time() - int(timestamp)
    if abs(skew) > TIMESTAMP_TOLERANCE_SECONDS:
        when = "old" if skew > 0 else "in the future"
        raise Failure(
            f"webhook timestamp {abs(skew):.0f} s {when}, outside the 5-minute tolerance"
        )
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # The header may carry several "v1,<base64>" signatures, space-separated (while a secret is
    # being rotated): one match is enough. compare_digest takes the same time whatever matches.
    for signature in signatures.split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise Failure("bad webhook signature: no v1 signature matches the webhook secret")


class WebhookReceiver(ThreadingHTTPServer):
    """The backend's webhook endpoint, on 127.0.0.1 at a free port.

    Each POST is verified before it is acknowledged, as a backend must: a bad signature gets a 401
    (a 4xx other than 408 and 429 is final: the pipeline does not send it again).
    """

    def __init__(self, secret):
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.secret = secret
        self.deliveries = queue.Queue()  # (webhook-id, body bytes) or a Failure
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}/webhooks/listing-media"


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            verify_signature(self.server.secret, self.headers, body)
        except Failure as failure:
            self.send_response(401)
            self.end_headers()
            self.server.deliveries.put(failure)
            return
        self.send_response(204)
        self.end_headers()
        self.server.deliveries.put((self.headers["webhook-id"], body))

    def log_message(self, format, *args):
        pass  # the summary says what arrived


def wait_for_webhook(receiver, request_id, timeout):
    """The first verified webhook of this request (one for another request is skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            delivery = receiver.deliveries.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            raise Failure(
                f"no webhook within {timeout} s (the dashboard shows where the request is)"
            )
        if isinstance(delivery, Failure):
            raise delivery
        msg_id, body = delivery
        try:
            payload = json.loads(body)
        except ValueError:
            raise Failure(f"webhook {msg_id}: the body is not JSON")
        if payload.get("data", {}).get("requestId") == request_id:
            return msg_id, payload


def check_schema(what, instance, url, exit_code=1):
    """Validates a message against the JSON Schema at url; says when it cannot."""
    if jsonschema is None:
        return (
            "schema NOT CHECKED: jsonschema is not installed (apt-get install python3-jsonschema)"
        )
    with urllib.request.urlopen(url, timeout=10) as response:
        schema = json.load(response)
    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the root"
        raise Failure(f"{what} does not match {url} at {where}: {error.message[:300]}", exit_code)
    return f"valid against {url}"


def upload_listing(s3, bucket, listing_id, items, files):
    """Uploads each item's file to its raw key."""
    for item in items:
        media_type, media_id, ext = item["mediaType"], item["mediaId"], item["ext"]
        with files[media_id].open("rb") as body:
            s3.put_object(
                Bucket=bucket,
                Key=f"{listing_id}/raw/{media_type}/{media_id}.{ext}",
                Body=body,
                ContentType=CONTENT_TYPES[media_type][ext],
                # The lifecycle moves raw uploads to Glacier by this tag (a prefix rule cannot
                # skip the listing id); an untagged upload stays in S3 Standard.
                Tagging="media-class=raw",
            )


def print_summary(result, names):
    """Status, counts, each failure by file name, and the zip."""
    summary = result["summary"]
    print(
        f"Listing {result['status']}: {summary['succeeded']} of {summary['total']} media"
        f" processed, {summary['failed']} failed"
    )
    for item in result["media"]:
        if item["status"] == "failed":
            name = names.get(item["mediaId"], item["mediaId"])
            print(f"  ✗ {name}: {item['error']['code']} ({item['error']['message']})")
    for error in result["errors"]:
        print(f"  ✗ {error['code']}: {error['message']}")
    bundle = result["zip"]
    print(
        f"Zip: {bundle['key']} ({bundle['entries']} entries, {bundle['bytes']} bytes)"
        if bundle
        else "Zip: none"
    )


def aws_clients(connection):
    """S3 and SQS clients for the service's endpoint."""
    # The dev service accepts any access key. Against AWS, drop the keys and endpoint_url and let
    # boto3 find the backend role's credentials. Path-style addressing: the endpoint is an IP
    # address, which has no bucket subdomains.
    session = boto3.session.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",
        region_name=connection["region"],
    )
    endpoint = connection["endpoint"]
    s3 = session.client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )
    return s3, session.client("sqs", endpoint_url=endpoint)


def process_listing(connection, folder, listing_id, request_id, timeout):
    media, skipped = media_files(folder)
    files = {str(uuid.uuid4()): path for path, _, _ in media}
    items = [
        # Declaring the size lets the pipeline refuse a truncated upload (SIZE_MISMATCH).
        {"mediaId": media_id, "mediaType": media_type, "ext": ext, "bytes": path.stat().st_size}
        for media_id, (path, media_type, ext) in zip(files, media)
    ]
    receiver = WebhookReceiver(connection["webhookSecret"])
    try:
        request = {
            "schemaVersion": 1,
            "requestId": request_id,  # the idempotency key: a new one to process it again
            "listingId": listing_id,
            "media": items,
            "callback": {"url": receiver.url},
        }
        # Before anything is uploaded: a request the pipeline refuses would go to its
        # dead-letter queue, leaving uploads that nothing will ever process.
        schemas = connection["schemasUrl"]
        request_check = check_schema(
            "the request", request, f"{schemas}processing-request.json", exit_code=2
        )

        s3, sqs = aws_clients(connection)
        bucket = connection["bucket"]
        upload_listing(s3, bucket, listing_id, items, files)
        skipped_note = f" (skipped: {', '.join(skipped)})" if skipped else ""
        print(f"Uploaded {len(items)} files to s3://{bucket}/{listing_id}/raw/{skipped_note}")
        sent = sqs.send_message(QueueUrl=connection["queueUrl"], MessageBody=json.dumps(request))
        message = sent["MessageId"]
        print(f"Sent request {request_id} (SQS message {message}), {request_check}")
        print(f"Waiting up to {timeout} s for the webhook at {receiver.url}")
        msg_id, payload = wait_for_webhook(receiver, request_id, timeout)
    finally:
        receiver.shutdown()
    body_check = check_schema("the webhook body", payload, f"{schemas}webhook-payload.json")
    print(f"Webhook {msg_id}: signature valid, body {body_check}")
    print_summary(payload["data"], {media_id: path.name for media_id, path in files.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("connection", help="the connection.json that `npm run dev` wrote")
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=SAMPLE_LISTING,
        help="the listing's photos and videos (default: samples/listing)",
    )
    parser.add_argument("--listing-id", default=str(uuid.uuid4()), help="default: a new UUID")
    parser.add_argument(
        "--request-id",
        default=f"py-{uuid.uuid4().hex[:12]}",
        help="default: py- and 12 random hex digits",
    )
    parser.add_argument(
        "--timeout", type=int, default=300, help="seconds to wait for the webhook (default: 300)"
    )
    args = parser.parse_args()
    try:
        connection = read_connection(args.connection)
        try:
            process_listing(
                connection, args.folder, args.listing_id, args.request_id, args.timeout
            )
        except (BotoCoreError, ClientError) as error:
            raise Failure(f"S3/SQS at {connection['endpoint']}: {error}")
        except OSError as error:  # the schema URL, a file of the folder
            raise Failure(str(error))
    except Failure as failure:
        print(f"process_listing: {failure}", file=sys.stderr)
        return failure.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
