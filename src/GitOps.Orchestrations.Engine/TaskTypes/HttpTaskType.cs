using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Activities;
using GitOps.Orchestrations.Engine.Egress;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// <c>uses: http</c>: one HTTP request. It succeeds on a 2xx status, or when <c>successCondition</c>
/// (evaluated over <c>status</c>, <c>body</c>, <c>json</c> and <c>headers</c>) is true. Outputs are
/// <c>status</c>, <c>body</c> and <c>json</c>, so <c>{{tasks.X.outputs.json.version}}</c> reads a field.
/// </summary>
public sealed class HttpTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("http", new Dictionary<string, FieldSpec>
    {
        ["url"] = new(FieldKind.String, Required: true),
        ["method"] = new(FieldKind.String, AllowedValues: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
        ["headers"] = new(FieldKind.StringMap),
        ["body"] = new(FieldKind.Any),
        ["successCondition"] = new(FieldKind.Expression, Variables: ResponseVariables),
        ["followRedirects"] = new(FieldKind.Boolean),
    }, Result: "body");

    /// <summary>What a success condition reads of the response, besides params, tasks, item and workflow.</summary>
    public static readonly IReadOnlyList<string> ResponseVariables = ["status", "body", "json", "headers"];

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        Dictionary<string, string> headers = step.GetStringMap("headers", StringComparer.OrdinalIgnoreCase) ?? new(StringComparer.OrdinalIgnoreCase);

        string? body = step.With.TryGetProperty("body", out JsonElement bodyValue) ? Core.Templating.Template.AsText(bodyValue) : null;
        bool followRedirects = string.Equals(step.GetString("followRedirects"), "true", StringComparison.OrdinalIgnoreCase);
        var request = new HttpStepRequest(step.GetString("method") ?? "GET", step.GetString("url")!, headers, body, step.IdempotencyKey, followRedirects);

        // What templates put into the request is checked before it leaves the orchestration; a retry cannot fix it.
        if (OutboundRequest.Problem(request.Method, request.Url, headers) is string malformed)
        {
            return StepResult.Failed(malformed) with { Retryable = false };
        }

        HttpStepResponse response = await context.CallActivityAsync<HttpStepResponse>(nameof(HttpRequestActivity), request);
        if (response.Refused is string refused)
        {
            return StepResult.Failed($"{request.Method} {OutboundRequest.Printable(new Uri(request.Url).GetLeftPart(UriPartial.Path))} refused: {refused}") with { Retryable = false };
        }

        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["status"] = JsonSerializer.SerializeToElement(response.Status),
            ["body"] = JsonSerializer.SerializeToElement(response.Body),
        };
        if (response.Json is JsonElement json)
        {
            outputs["json"] = json;
        }

        string? condition = step.GetString("successCondition");
        bool ok;
        if (condition is null)
        {
            ok = response.Status is >= 200 and < 300;
        }
        else
        {
            var variables = new Dictionary<string, JsonElement>(outputs, StringComparer.Ordinal)
            {
                ["headers"] = JsonSerializer.SerializeToElement(response.Headers),
            };
            variables.TryAdd("json", JsonSerializer.SerializeToElement<object?>(null));
            try
            {
                ok = ExpressionLanguage.Compile(condition).EvaluateBoolean(step.Scope, variables);
            }
            catch (ExpressionException e)
            {
                return StepResult.Errored(e.Message) with { Outputs = outputs };
            }
        }

        return ok
            ? StepResult.Succeeded(outputs)
            : StepResult.Failed(condition is null ? $"{request.Method} {request.Url} returned {response.Status}" : $"successCondition '{condition}' is false (status {response.Status})") with { Outputs = outputs };
    }
}
