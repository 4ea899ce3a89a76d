import { MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, App, Button, Col, Drawer, Form, Input, InputNumber, Row, Select, Space, Switch } from "antd";
import { useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { Customer } from "../api/generated/Customer";
import type { CustomerView } from "../api/generated/CustomerView";
import { useLabels } from "../catalog";
import { type CustomerFormValues, emptyValues, fromCustomer, placeErrors, toDraft } from "../form/customerForm";
import { coreText, useI18n } from "../i18n";

/** Create (no `customer`) or edit a customer record; the core's messages appear at their fields. */
export function CustomerFormDrawer(props: {
  open: boolean;
  customer?: Customer;
  onClose: () => void;
  onSaved: (view: CustomerView) => void;
}) {
  const { t, lang } = useI18n();
  const { options } = useLabels();
  const { message } = App.useApp();
  const [form] = Form.useForm<CustomerFormValues>();
  const [general, setGeneral] = useState<string[]>([]);
  // The meter list is not one form field, so its messages are shown under the list.
  const [meterErrors, setMeterErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const editing = Boolean(props.customer);

  useEffect(() => {
    if (props.open) {
      form.resetFields();
      form.setFieldsValue(props.customer ? fromCustomer(props.customer) : emptyValues());
    }
  }, [props.open, props.customer, form]);

  async function save() {
    const values = form.getFieldsValue(true) as CustomerFormValues;
    // Clear the previous round's messages before showing this round's.
    form.setFields(Object.keys(values).map((name) => ({ name: name as keyof CustomerFormValues, errors: [] })));
    setGeneral([]);
    setMeterErrors([]);
    setBusy(true);
    try {
      const draft = toDraft(values);
      const saved = props.customer
        ? await invoke("customer.update", { id: props.customer.id, version: props.customer.version, draft })
        : await invoke("customer.create", draft);
      if (saved.warnings.length > 0) {
        message.warning(`${t("form.warnings")} ${saved.warnings.map((w) => coreText(lang, w)).join(t("list.separator"))}`, 8);
      } else {
        message.success(editing && saved.changes.length === 0 ? t("form.noChanges") : t("form.saved"));
      }
      props.onSaved(saved.view);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      const placed = placeErrors(e.error, lang);
      form.setFields(placed.fields.filter((f) => f.name !== "meters").map((f) => ({ ...f, name: f.name as keyof CustomerFormValues })));
      setMeterErrors(placed.fields.find((f) => f.name === "meters")?.errors ?? []);
      setGeneral(placed.general);
    } finally {
      setBusy(false);
    }
  }

  const bigCustomer = Form.useWatch("big_customer", form);
  return (
    <Drawer
      title={editing ? t("form.edit.title") : t("form.create.title")}
      width={760}
      open={props.open}
      onClose={props.onClose}
      // The last round's messages go with the drawer, so that it opens without them.
      afterOpenChange={(open) => {
        if (!open) {
          setGeneral([]);
          setMeterErrors([]);
        }
      }}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={props.onClose}>{t("form.cancel")}</Button>
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="save-customer">
            {t("form.save")}
          </Button>
        </Space>
      }
    >
      {general.length > 0 && <Alert type="error" showIcon message={general.join(t("list.separator"))} style={{ marginBottom: 16 }} data-testid="form-error" />}
      <Form form={form} layout="vertical" onFinish={() => void save()} data-testid="customer-form">
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="account" label={t("field.account")}>
              <Input disabled={editing} maxLength={10} className="mono" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="name" label={t("field.name")}>
              <Input maxLength={60} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="class" label={t("field.class")}>
              <Select options={options("customer_classes")} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="id_kind" label={t("field.id_kind")}>
              <Select options={options("id_kinds")} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="id_number" label={t("field.id_number")}>
              <Input className="mono" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phones" label={t("field.phones")} extra={t("form.phones.help")}>
              <Input className="mono" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="supply_area" label={t("field.supply_area")}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="address" label={t("field.address")}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="voltage" label={t("field.voltage")}>
              <Select options={options("voltages")} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="capacity_kva" label={t("field.capacity_kva")}>
              <InputNumber min={0} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="tariff_code" label={t("field.tariff_code")}>
              <Input className="mono" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="payment_method" label={t("field.payment_method")}>
              <Select options={options("payment_methods")} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="credit_rating" label={t("field.credit_rating")}>
              <Select options={options("credit_ratings")} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="big_customer" label={t("field.big_customer")} valuePropName="checked">
              <Switch checkedChildren={t("form.yes")} unCheckedChildren={t("form.no")} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="account_manager" label={t("field.account_manager")}>
              <Input disabled={!bigCustomer} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item label={t("field.meters")} style={{ marginBottom: 0 }}>
              <Form.List name="meters">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((field) => (
                      <Space key={field.key} align="baseline">
                        <Form.Item name={[field.name, "number"]} noStyle>
                          <Input placeholder={t("field.meter.number")} className="mono" style={{ width: 220 }} />
                        </Form.Item>
                        <Form.Item name={[field.name, "kind"]} noStyle>
                          <Select options={options("meter_kinds")} style={{ width: 260 }} />
                        </Form.Item>
                        <Form.Item name={[field.name, "multiplier"]} noStyle>
                          <InputNumber min={1} placeholder={t("field.meter.multiplier")} style={{ width: 120 }} />
                        </Form.Item>
                        <MinusCircleOutlined onClick={() => remove(field.name)} />
                      </Space>
                    ))}
                    <Form.ErrorList errors={meterErrors.map((m) => <span key={m} data-testid="meters-error">{m}</span>)} />
                    <Form.Item>
                      <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ number: "", kind: "single_phase", multiplier: 1 })}>
                        {t("form.meters.add")}
                      </Button>
                    </Form.Item>
                  </>
                )}
              </Form.List>
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="tags" label={t("field.tags")} extra={t("form.tags.help")}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="notes" label={t("field.notes")}>
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Drawer>
  );
}
