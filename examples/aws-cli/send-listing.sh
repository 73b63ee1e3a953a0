#!/usr/bin/env bash
# Uploads a listing's photos and videos and sends its ProcessingRequest to the toq-media pipeline
# that `npm run dev` runs, with the AWS CLI (v1 or v2) and jq.
#
#   examples/aws-cli/send-listing.sh .local/dev/connection.json CALLBACK_URL [FOLDER]
#
# CALLBACK_URL: your backend's webhook endpoint (plain http on 127.0.0.1 is allowed by the dev
# service). FOLDER: default samples/listing. LISTING_ID and REQUEST_ID may be set in the
# environment (default: a new UUID, and cli- with 12 random hex digits).
# Progress goes to stderr; stdout gets the SQS message id alone.
set -euo pipefail

fail() { # fail MESSAGE [EXIT_CODE]
  echo "send-listing: $1" >&2
  exit "${2:-1}"
}

[[ $# -eq 2 || $# -eq 3 ]] || fail "usage: $0 CONNECTION_JSON CALLBACK_URL [FOLDER]" 2
connection=$1
callback_url=$2
folder=${3:-$(cd "$(dirname "$0")/../.." && pwd)/samples/listing}
[[ -f $connection ]] || fail "$connection not found: start \`npm run dev\` first, it writes it" 2
[[ -d $folder ]] || fail "$folder is not a folder" 2
command -v aws >/dev/null || fail "the AWS CLI is not installed (Debian: apt-get install awscli)" 2
command -v jq >/dev/null || fail "jq is not installed (Debian: apt-get install jq)" 2

setting() { # setting KEY: one string of connection.json
  jq -er --arg key "$1" '.[$key] | strings' "$connection" 2>/dev/null ||
    fail "$connection has no $1: is it the one \`npm run dev\` wrote?" 2
}
endpoint=$(setting endpoint)
region=$(setting region)
bucket=$(setting bucket)
queue_url=$(setting queueUrl)

aws_dev() {
  # The dev service accepts any access key. Against AWS, drop the keys and --endpoint-url, and
  # let the CLI find the backend role's credentials. AWS_PAGER: v2 would page the output.
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_PAGER='' \
    aws --endpoint-url "$endpoint" --region "$region" "$@"
}

uuid4() { # a random UUID (version 4) from /dev/urandom: uuidgen is not on every machine
  local hex
  hex=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s-%s-4%s-%x%s-%s\n' "${hex:0:8}" "${hex:8:4}" "${hex:13:3}" \
    $((0x${hex:16:1} & 0x3 | 0x8)) "${hex:17:3}" "${hex:20:12}"
}

listing_id=${LISTING_ID:-$(uuid4)}
request_id=${REQUEST_ID:-cli-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}

# Each photo and video goes to its raw key, {listingId}/raw/{mediaType}/{mediaId}.{ext}, with
# the tag the lifecycle needs to move raw uploads to Glacier (a prefix rule cannot skip the
# listing id); other files are skipped.
items=()
skipped=()
for file in "$folder"/*; do
  [[ -f $file ]] || continue
  ext=$(printf '%s' "${file##*.}" | tr '[:upper:]' '[:lower:]')
  case $ext in
    jpg | jpeg) type=photo content_type=image/jpeg ;;
    png | webp | heic | heif | avif) type=photo content_type=image/$ext ;;
    tif | tiff) type=photo content_type=image/tiff ;;
    mp4) type=video content_type=video/mp4 ;;
    mov) type=video content_type=video/quicktime ;;
    m4v) type=video content_type=video/x-m4v ;;
    webm) type=video content_type=video/webm ;;
    *)
      skipped+=("${file##*/}")
      continue
      ;;
  esac
  media_id=$(uuid4)
  aws_dev s3api put-object --bucket "$bucket" --key "$listing_id/raw/$type/$media_id.$ext" \
    --body "$file" --content-type "$content_type" --tagging media-class=raw >/dev/null
  # Declaring the size lets the pipeline refuse a truncated upload (SIZE_MISMATCH).
  items+=("$(jq -nc --arg id "$media_id" --arg type "$type" --arg ext "$ext" \
    --argjson bytes "$(($(wc -c <"$file")))" \
    '{mediaId: $id, mediaType: $type, ext: $ext, bytes: $bytes}')")
done
[[ ${#items[@]} -gt 0 ]] || fail "$folder has no photo or video" 2
echo "Uploaded ${#items[@]} files to s3://$bucket/$listing_id/raw/${skipped[*]+ (skipped: ${skipped[*]})}" >&2

# The request goes through a file: a large listing's manifest may exceed one argument's limit.
request=$(mktemp)
trap 'rm -f "$request"' EXIT
printf '%s\n' "${items[@]}" | jq -sc \
  --arg request "$request_id" --arg listing "$listing_id" --arg url "$callback_url" \
  '{schemaVersion: 1, requestId: $request, listingId: $listing, media: ., callback: {url: $url}}' \
  >"$request"
message_id=$(aws_dev sqs send-message --queue-url "$queue_url" \
  --message-body "file://$request" --query MessageId --output text)
echo "Sent request $request_id for listing $listing_id; the webhook goes to $callback_url" >&2
echo "$message_id"
