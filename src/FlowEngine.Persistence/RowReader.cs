using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlowEngine.Persistence;

/// <summary>
/// Reads one row of an entity type by equality on some of its properties, with plain parameterised SQL built from the
/// EF model (table, columns, conversions), into an entity made and filled by plain delegates. For the lookups every run
/// makes (its profile, its connection, a paged step's progress): a LINQ query costs its compilation, and the JIT of
/// what that compilation emits, the first time a process runs it, which was most of a first run's fixed cost.
/// </summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed class RowReader<T>
    where T : class
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, Column> _byProperty;
    private readonly Func<T> _create;
    private readonly string _select;

    private RowReader(Column[] columns, Func<T> create, string select)
    {
        _columns = columns;
        _byProperty = columns.ToDictionary(c => c.Property.Name, StringComparer.Ordinal);
        _create = create;
        _select = select;
    }

    /// <summary>Builds the reader for <typeparamref name="T"/> from a context's model.</summary>
    /// <param name="db">A context of the store.</param>
    /// <param name="create">Makes an empty entity (its required members set to anything; every column is set after).</param>
    /// <param name="setters">How to set each mapped property, by name; every property of the model must have one.</param>
    /// <exception cref="InvalidOperationException">The setters and the model disagree (a property was added to one only).</exception>
    public static RowReader<T> For(DbContext db, Func<T> create, IReadOnlyDictionary<string, Action<T, object?>> setters)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(setters);
        var table = ModelTable.For<T>(db, setters.Keys, "row reader (setters)");
        var columns = table.Columns.Select(c => new Column(c.Property, c.Mapping, c.Name, setters[c.Property.Name])).ToArray();
        var select = $"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {table.Name}";
        return new RowReader<T>(columns, create, select);
    }

    /// <summary>The first row whose properties equal the given values (ordered by <paramref name="newestBy"/> descending when given), or null.</summary>
    public async Task<T?> FirstAsync(DbContext db, IReadOnlyList<(string Property, object? Value)> where, CancellationToken cancellationToken, string? newestBy = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(where);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var text = new StringBuilder(_select);
            for (var i = 0; i < where.Count; i++)
            {
                var column = _byProperty[where[i].Property];
                text.Append(i == 0 ? " WHERE " : " AND ").Append(column.Name).Append(" = @w").Append(i);
                command.Parameters.Add(column.Mapping.CreateParameter(command, $"@w{i}", where[i].Value, column.Property.IsNullable));
            }

            if (newestBy is not null)
            {
                text.Append(" ORDER BY ").Append(_byProperty[newestBy].Name).Append(" DESC");
            }

            command.CommandText = text.Append(" LIMIT 1").ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var row = _create();
            for (var i = 0; i < _columns.Length; i++)
            {
                var column = _columns[i];
                column.Set(row, reader.IsDBNull(i) ? null : FromProvider(reader.GetValue(i), column));
            }

            return row;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    // What the provider returned (SQLite: text, integers, reals) to the property's value, through the model's converter.
    private static object FromProvider(object value, Column column)
    {
        var converter = column.Mapping.Converter;
        var stored = converter?.ProviderClrType ?? column.Property.ClrType;
        stored = Nullable.GetUnderlyingType(stored) ?? stored;
        if (stored == typeof(Guid))
        {
            value = value switch
            {
                string text => Guid.Parse(text, CultureInfo.InvariantCulture),
                byte[] bytes => new Guid(bytes),
                _ => value,
            };
        }
        else if (!stored.IsInstanceOfType(value))
        {
            value = stored.IsEnum ? Enum.ToObject(stored, value) : Convert.ChangeType(value, stored, CultureInfo.InvariantCulture);
        }

        return converter is null ? value : converter.ConvertFromProvider(value)!;
    }

    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping, string Name, Action<T, object?> Set);
}
