//! A JSONata workflow: `{% %}` strings, `arguments`, `output`, `assign`, conditions.
use sfn::workflow;

workflow! {
    #[workflow(query_language = JSONata)]
    pub Greeter {
        start Greet;
        Greet: task "arn:aws:states:::lambda:invoke" {
            arguments: { "FunctionName": "greet", "Payload": { "name": "{% $states.input.name %}" } },
            output: "{% $states.result.Payload %}",
            assign: { "greeting": "{% $states.result.Payload.text %}" },
            timeout_seconds: "{% $states.input.timeout %}",
            catch: [ALL] output "{% $states.errorOutput %}" => Failed,
        } => Route;
        Route: choice {
            "{% $greeting = 'hello' %}" => Done { output: "{% $greeting %}" },
            true => Done,
        };
        Done: succeed { output: { "text": "{% $greeting %}" } };
        Failed: fail { error: "{% 'Greeting' %}", cause: "no greeting" };
    }
}

fn main() {
    let asl: serde_json::Value = serde_json::from_str(Greeter::ASL).expect("JSON");
    assert_eq!(asl["QueryLanguage"], "JSONata");
    assert_eq!(
        asl["States"]["Route"]["Choices"][0]["Condition"],
        "{% $greeting = 'hello' %}"
    );
}
