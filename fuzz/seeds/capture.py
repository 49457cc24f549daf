"""Writes the seeds of the AWS answer fuzz targets (fuzz/seeds/aws_*/) from a moto server's
real answers to the calls the integration tests make.

    read -r port pid < <(scripts/moto.sh start)
    target/moto-venv/bin/python fuzz/seeds/capture.py http://127.0.0.1:$port fuzz/seeds
    kill $pid

Each answer is written in its target's framing (see fuzz/fuzz_targets/aws_answers.rs): the
Query action's name on the first line; S3's action and status, its headers and a blank line;
JSON and XML bodies as they are. Request ids, dates and the like vary from run to run, so
the files change when written again; the seeds only need to be real answers.
"""

import json
import os
import sys

import boto3

endpoint, out = sys.argv[1], sys.argv[2]
session = boto3.session.Session(
    aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
)
answers = []


def keep(http_response, parsed, model, **_):
    answers.append((model.service_model.service_name, model.name, http_response))


session.events.register("after-call", keep)


def client(name):
    return session.client(name, endpoint_url=endpoint)


def lower_first(name):
    return name[:1].lower() + name[1:]


def attempt(call, *args, **kwargs):
    """An error answer is a seed too."""
    try:
        return call(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - any service error is an answer to keep
        return e


# ---- SNS and STS (Query protocol) ----
sns = client("sns")
topic = sns.create_topic(Name="orders", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Orders & <co>")
sns.get_topic_attributes(TopicArn=topic)
sns.list_topics()
sqs = client("sqs")
queue = sqs.create_queue(QueueName="q")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)
sns.list_subscriptions()
sns.list_subscriptions_by_topic(TopicArn=topic)
sns.publish(
    TopicArn=topic,
    Message='{"a": 1}',
    MessageAttributes={"n": {"DataType": "Number", "StringValue": "5"}},
)
sns.publish_batch(
    TopicArn=topic,
    PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}, {"Id": "b", "Message": "n"}],
)
sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "k", "Value": "v"}])
sns.list_tags_for_resource(ResourceArn=topic)
attempt(sns.get_topic_attributes, TopicArn=topic + "-missing")
sts = client("sts")
sts.get_caller_identity()
sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="sfn-task", DurationSeconds=900)
sts.get_session_token(DurationSeconds=900)

# ---- S3 (REST-XML) ----
s3 = client("s3")
s3.create_bucket(Bucket="items")
s3.put_object(Bucket="items", Key="a b/c&d.json", Body=b'[{"id": 1}]', Metadata={"who": "me"})
s3.put_object(Bucket="items", Key="plain.csv", Body=b"id,name\n1,a\n")
s3.get_object(Bucket="items", Key="a b/c&d.json")
s3.head_object(Bucket="items", Key="plain.csv")
s3.list_buckets()
s3.list_objects_v2(Bucket="items", Prefix="a b/", EncodingType="url")
s3.list_objects_v2(Bucket="items", Delimiter="/")
s3.list_objects(Bucket="items")
s3.copy_object(Bucket="items", Key="copy.csv", CopySource="items/plain.csv")
s3.put_object_tagging(Bucket="items", Key="plain.csv", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
s3.get_object_tagging(Bucket="items", Key="plain.csv")
s3.delete_object(Bucket="items", Key="copy.csv")
attempt(s3.get_object, Bucket="items", Key="missing")
attempt(s3.head_object, Bucket="items", Key="missing")
attempt(s3.list_objects_v2, Bucket="no-such-bucket")

# ---- AWS JSON protocols ----
ddb = client("dynamodb")
ddb.create_table(
    TableName="t",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
ddb.put_item(TableName="t", Item={"id": {"S": "1"}, "n": {"N": "2"}, "l": {"L": [{"BOOL": True}, {"NULL": True}]}})
ddb.get_item(TableName="t", Key={"id": {"S": "1"}})
ddb.describe_table(TableName="t")
attempt(ddb.describe_table, TableName="missing")
sqs.send_message(QueueUrl=queue, MessageBody="hello")
sqs.receive_message(QueueUrl=queue, AttributeNames=["All"])
attempt(sqs.get_queue_url, QueueName="missing")
events = client("events")
events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": '{"a": 1}'}])
secrets = client("secretsmanager")
secrets.create_secret(Name="s", SecretString='{"k": "v"}')
secrets.describe_secret(SecretId="s")
secrets.get_secret_value(SecretId="s")
sfn = client("stepfunctions")
machine = sfn.create_state_machine(
    name="m",
    definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    roleArn="arn:aws:iam::123456789012:role/r",
)["stateMachineArn"]
execution = sfn.start_execution(stateMachineArn=machine, input='{"x": 1}')["executionArn"]
sfn.describe_execution(executionArn=execution)
ecs = client("ecs")
ecs.create_cluster(clusterName="c")
ecs.register_task_definition(
    family="f",
    networkMode="bridge",
    cpu="256",
    memory="512",
    containerDefinitions=[{"name": "app", "image": "busybox", "memory": 128}],
)
task = ecs.run_task(
    cluster="c",
    taskDefinition="f",
    launchType="FARGATE",
    overrides={"containerOverrides": [{"name": "app", "environment": [{"name": "A", "value": "1"}]}]},
)
ecs.describe_tasks(cluster="c", tasks=[t["taskArn"] for t in task["tasks"]])
glue = client("glue")
glue.create_job(Name="j", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://b/s.py"})
run = glue.start_job_run(JobName="j", Arguments={"--k": "v"})
glue.get_job_run(JobName="j", RunId=run["JobRunId"])
batch = client("batch")
attempt(batch.submit_job, jobName="j", jobQueue="missing", jobDefinition="missing")

# ---- Files ----
def write(target, name, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


seen = {}
for service, action, response in answers:
    body = response.content or b""
    n = seen.get((service, action), 0)
    seen[(service, action)] = n + 1
    name = f"{service}-{action}" + (f"-{n + 1}" if n else "")
    if response.status_code >= 300:
        name += f"-{response.status_code}"
    if service in ("sns", "sts"):
        write("aws_query_answer", name, f"{service}:{lower_first(action)}\n".encode() + body)
        write("aws_xml_tree", name, body)
    elif service == "s3":
        head = f"{action} {response.status_code}\n"
        head += "".join(f"{k}: {v}\n" for k, v in response.headers.items())
        write("aws_s3_answer", name, head.encode() + b"\n" + body)
        if body.lstrip().startswith(b"<"):
            write("aws_xml_tree", name, body)
    elif body.strip():
        write("aws_json_answer", name, body)
