using System.Diagnostics;
using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>
/// Every trick a person with write access to the workflows repository (or a hostile param or HTTP
/// response) could try on the expression language: each ends in a clear validation error or a
/// failed evaluation, bounded in time and memory, never a crash, a hang or a flipped guard.
/// </summary>
public class ExpressionSandboxTests
{
    /// <summary>Checking, and evaluating when the check lets it through, both end quickly and small.</summary>
    static string Refused(string expression, IReadOnlyDictionary<string, JsonElement>? variables = null)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        string? problem = ExpressionLanguage.Check(expression, out _);
        if (problem is null)
        {
            problem = Assert.Throws<ExpressionException>(() => ExpressionLanguage.Evaluate(expression, variables)).Message;
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"'{Shorten(expression)}' took {clock.Elapsed}");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64L * 1024 * 1024, $"'{Shorten(expression)}' allocated {allocated / 1024 / 1024} MB");
        return problem;
    }

    static string Shorten(string text) => text.Length > 60 ? text[..60] + "..." : text;

    [Theory]
    [InlineData("Date.now() > 0", "'Date' is not allowed")]
    [InlineData("new Date().getTime() > 0", "NewExpression is not allowed")]
    [InlineData("Temporal.Now.instant().epochMilliseconds > 0", "'Temporal' is not allowed")]
    [InlineData("Intl.DateTimeFormat().format().length > 0", "'Intl' is not allowed")]
    [InlineData("Math.random() < 2", "'.random()' is not a method")]
    [InlineData("globalThis.Date.now() > 0", "'globalThis' is not allowed")]
    public void Clock_and_randomness_are_out_of_reach(string expression, string expected) =>
        Assert.Contains(expected, Refused(expression), StringComparison.Ordinal);

    [Theory]
    [InlineData("eval('1') == 1", "'eval' is not allowed")]
    [InlineData("Function('return 1')() == 1", "'Function' is not allowed")]
    [InlineData("[]['constructor']['constructor']('return 1')() == 1", "'constructor' is not allowed")]
    [InlineData("[]['constr' + 'uctor']['constr' + 'uctor']('return 1')() == 1", "only named functions and methods may be called")]
    [InlineData("[].constructor.constructor('return 1')() == 1", "'constructor' is not allowed")]
    [InlineData("({}).__proto__ == null", "'__proto__' is not allowed")]
    [InlineData("(x => x)(1) == 1", "ArrowFunctionExpression is not allowed")]
    [InlineData("delete params.env", "delete is not allowed")]
    public void Code_generation_is_out_of_reach(string expression, string expected) =>
        Assert.Contains(expected, Refused(expression), StringComparison.Ordinal);

    [Theory]
    [InlineData("'x'.repeat(2**28).length > 0")]
    [InlineData("'x'.padEnd(2**28).length > 0")]
    [InlineData("Array(2**28).join('x').length > 0")]
    [InlineData("'ab'.replace(/(?:)/g, 'x').length > 0")]
    public void Nothing_multiplies_its_input(string expression) =>
        Assert.Contains("is not a", Refused(expression), StringComparison.Ordinal);

    [Fact]
    public void Building_a_huge_array_is_stopped() =>
        Refused("[...Array.prototype.keys.call({length: 1e9})].length > 0");

    [Fact]
    public void Catastrophic_backtracking_stops_at_the_regex_timeout()
    {
        var body = new Dictionary<string, JsonElement> { ["body"] = JsonSerializer.SerializeToElement(new string('a', 40) + "!") };
        string problem = Refused("/^(a+)+$/.test(body)", body);
        Assert.Contains("regular expression took longer than", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regex_timeout_is_remembered_rather_than_paid_again_on_replay()
    {
        var body = new Dictionary<string, JsonElement> { ["body"] = JsonSerializer.SerializeToElement(new string('a', 41) + "!") };
        Refused("/^(a+)+$/.test(body) || true", body);
        var clock = Stopwatch.StartNew();
        Assert.Throws<ExpressionException>(() => ExpressionLanguage.Evaluate("/^(a+)+$/.test(body) || true", body));
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(40), $"the second evaluation took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(100_000, "(", ")")]
    [InlineData(120_000, "!", "")]
    [InlineData(50_000, "1+", "")]
    [InlineData(2_000, "[", "]")]
    [InlineData(1_000, "-", "")]
    public void Deep_or_long_expressions_are_refused_without_a_stack_overflow(int times, string open, string close)
    {
        string expression = string.Concat(Enumerable.Repeat(open, times)) + "1" + string.Concat(Enumerable.Repeat(close, times));
        string problem = Refused(expression);
        Assert.Matches("characters long|nests deeper|operators|parts", problem);
    }

    [Fact]
    public void Many_small_nested_operators_within_the_length_limit_are_refused_by_depth()
    {
        // 2,000 characters, under the length limit: the punctuation bound stops it before the parser recurses.
        string expression = string.Concat(Enumerable.Repeat("!", 2_000)) + "true";
        Assert.Matches("operators|nests deeper", Refused(expression));
    }

    [Fact]
    public void A_param_cannot_flip_a_guard()
    {
        // Spliced into the source, this value turned 'x' != 'y' || 'a' == 'prod' into true.
        var scope = Scope(("env", "x' != 'y' || 'a"));
        Assert.False(ExpressionLanguage.Compile("'{{params.env}}' == 'prod'").EvaluateBoolean(scope));
        Assert.False(ExpressionLanguage.Compile("\"{{params.env}}\" == 'prod'").EvaluateBoolean(scope));
        Assert.False(ExpressionLanguage.Compile("`{{params.env}}` == 'prod'").EvaluateBoolean(scope));
        Assert.False(ExpressionLanguage.Compile("params.env == 'prod'").EvaluateBoolean(scope));
        Assert.True(ExpressionLanguage.Compile("'{{params.env}}' == \"x' != 'y' || 'a\"").EvaluateBoolean(scope));
    }

    [Fact]
    public void A_response_body_is_data_not_code()
    {
        var scope = new TemplateScope(
            new Dictionary<string, string>(),
            new WorkflowInfo("w", "w-1", "abc"),
            task => task == "fetch" ? new Dictionary<string, JsonElement> { ["body"] = JsonSerializer.SerializeToElement("1 == 1 || true") } : null);
        Assert.False(ExpressionLanguage.Compile("{{tasks.fetch.outputs.body}} == 'ok'").EvaluateBoolean(scope));
        Assert.False(ExpressionLanguage.Compile("tasks.fetch.outputs.body == 'ok'").EvaluateBoolean(scope));
    }

    [Theory]
    [InlineData("'{{params.env}}' == 'prod'", "prod", true)]
    [InlineData("'{{params.env}}-eu' == 'prod-eu'", "prod", true)]
    [InlineData("'it''s' != '{{params.env}}'", "x", true)]
    [InlineData("{{params.count}} > 3", "5", true)]
    [InlineData("{{params.count}} > 3", "2", false)]
    [InlineData("{{params.flag}}", "true", true)]
    [InlineData("{{params.flag}}", "false", false)]
    [InlineData("params.count == '5'", "5", true)]
    public void References_keep_their_meaning_as_values(string expression, string value, bool expected)
    {
        var scope = Scope(("env", value), ("count", value), ("flag", value));
        if (expression.Contains("''", StringComparison.Ordinal))
        {
            // Not JavaScript; only checks that a quote inside a value never ends a literal.
            Assert.NotNull(ExpressionLanguage.Check(expression, out _));
            return;
        }

        Assert.Equal(expected, ExpressionLanguage.Compile(expression).EvaluateBoolean(scope));
    }

    [Fact]
    public void Unknown_names_are_reported_with_their_place()
    {
        string? problem = ExpressionLanguage.Check("status == 200 && nope", out var position, new HashSet<string> { "status" });
        Assert.Contains("unknown name 'nope'", problem, StringComparison.Ordinal);
        Assert.Equal(18, position.Column);
    }

    [Fact]
    public void Allowed_functions_still_work()
    {
        var variables = new Dictionary<string, JsonElement> { ["body"] = JsonSerializer.SerializeToElement("Hello, World") };
        Assert.True(ExpressionLanguage.EvaluateBoolean(
            "body.toLowerCase().includes('world') && body.split(',').length == 2 && Math.max(1, 2) == 2 && /^H/.test(body) && len(body) == 12",
            variables));
        Assert.True(ExpressionLanguage.EvaluateBoolean("JSON.parse('{\"a\": [1, 2]}').a.length == 2 && Object.keys({a: 1}).length == 1"));
    }

    [Fact]
    public void Values_too_large_for_an_expression_are_refused()
    {
        var variables = new Dictionary<string, JsonElement> { ["body"] = JsonSerializer.SerializeToElement(new string('x', 2 * 1024 * 1024)) };
        string problem = Assert.Throws<ExpressionException>(() => ExpressionLanguage.EvaluateBoolean("len(body) > 0", variables)).Message;
        Assert.Contains("characters of values", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compiled_expressions_are_cached_by_their_text_not_their_values()
    {
        CompiledExpression first = ExpressionLanguage.Compile("'{{params.env}}' == 'prod'");
        Assert.Same(first, ExpressionLanguage.Compile("'{{params.env}}' == 'prod'"));
        Assert.True(first.EvaluateBoolean(Scope(("env", "prod"))));
        Assert.False(first.EvaluateBoolean(Scope(("env", "dev"))));
    }

    static TemplateScope Scope(params (string Name, string Value)[] parameters) =>
        new(parameters.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Last().Value), new WorkflowInfo("w", "w-1", "abc"), _ => null);
}
