using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Tests;

public class TemplateAndDurationTests
{
    static readonly TemplateScope Scope = new(
        new Dictionary<string, string> { ["greeting"] = "hi" },
        new WorkflowInfo("wf", "run-1", "abc123"),
        task => task == "call"
            ? new Dictionary<string, JsonElement> { ["json"] = JsonSerializer.SerializeToElement(new { version = "1.2.3", list = new[] { 1, 2 } }) }
            : null);

    [Fact]
    public void Renders_params_workflow_outputs_and_items()
    {
        Assert.Equal("hi wf run-1 abc123", Template.Render("{{params.greeting}} {{ workflow.name }} {{workflow.id}} {{workflow.revision}}", Scope));
        Assert.Equal("1.2.3 [1,2]", Template.Render("{{tasks.call.outputs.json.version}} {{tasks.call.outputs.json.list}}", Scope));
        TemplateScope withItem = Scope.WithItem(JsonSerializer.SerializeToElement(new { name = "eu", n = 3 }));
        Assert.Equal("eu/3", Template.Render("{{item.name}}/{{item.n}}", withItem));
    }

    [Fact]
    public void Unresolvable_reference_is_an_error() =>
        Assert.Throws<TemplateException>(() => Template.Render("{{tasks.nope.outputs.x}}", Scope));

    [Fact]
    public void Renders_inside_json_keeping_its_shape()
    {
        JsonElement with = JsonSerializer.SerializeToElement(new { url = "http://x/{{params.greeting}}", count = 3, nested = new[] { "{{workflow.name}}" } });
        Assert.Equal("""{"url":"http://x/hi","count":3,"nested":["wf"]}""", Template.Render(with, Scope).GetRawText());
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1h30m", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("1.5m", 90)]
    [InlineData("45", 45)]
    public void Parses_go_style_durations(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("5 minutes")]
    [InlineData("-1s")]
    [InlineData("1d")]
    public void Rejects_bad_durations(string text) => Assert.False(Durations.TryParse(text, out _, out _));

    [Fact]
    public void Formats_round_trip() => Assert.Equal(TimeSpan.FromSeconds(5432.25), Durations.Parse(Durations.Format(TimeSpan.FromSeconds(5432.25))));
}
