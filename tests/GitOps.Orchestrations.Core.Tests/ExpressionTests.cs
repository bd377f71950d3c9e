using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;

namespace GitOps.Orchestrations.Core.Tests;

public class ExpressionTests
{
    [Theory]
    [InlineData("'hello' != 'skip'", true)]
    [InlineData("'skip' != 'skip'", false)]
    [InlineData("1 < 2 && !(3 > 4)", true)]
    [InlineData("len([1,2,3]) == 3", true)]
    [InlineData("len('') == 0", true)]
    public void Evaluates_booleans(string expression, bool expected) =>
        Assert.Equal(expected, ExpressionLanguage.EvaluateBoolean(expression));

    [Fact]
    public void Analysis_style_conditions_read_variables()
    {
        var variables = new Dictionary<string, JsonElement> { ["result"] = JsonSerializer.SerializeToElement(new[] { 0.97, 0.5 }) };
        Assert.True(ExpressionLanguage.EvaluateBoolean("len(result) > 0 && result[0] >= 0.95", variables));
        variables["result"] = JsonSerializer.SerializeToElement(Array.Empty<double>());
        Assert.False(ExpressionLanguage.EvaluateBoolean("len(result) > 0 && result[0] >= 0.95", variables));
    }

    [Fact]
    public void A_non_boolean_result_is_a_clear_error()
    {
        var e = Assert.Throws<ExpressionException>(() => ExpressionLanguage.EvaluateBoolean("'yes'"));
        Assert.Contains("must be true or false, but it gave the string 'yes'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runaway_work_is_bounded()
    {
        var e = Assert.Throws<ExpressionException>(() => ExpressionLanguage.EvaluateBoolean("[...Array(1e9).keys()].length > 0"));
        Assert.Contains("expression", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Date.now() > 0")]
    [InlineData("Math.random() < 2")]
    [InlineData("eval('1') == 1")]
    public void Clock_randomness_and_eval_are_not_available(string expression)
    {
        string? checkError = ExpressionLanguage.Check(expression, out _);
        if (checkError is null)
        {
            Assert.Throws<ExpressionException>(() => ExpressionLanguage.EvaluateBoolean(expression));
        }
    }

    [Fact]
    public void Syntax_errors_carry_a_column()
    {
        string? error = ExpressionLanguage.Check("a &&& b", out var position);
        Assert.NotNull(error);
        Assert.Equal(1, position.Line);
        Assert.True(position.Column > 1);
    }

    [Fact]
    public void Multiple_statements_are_refused() =>
        Assert.Equal("must be a single expression", ExpressionLanguage.Check("1; 2", out _));
}
